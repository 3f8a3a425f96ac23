"""A new source kind is one module: registered from here, it is ingested, scheduled, caught up,
backfilled, reparsed and shown in status with no other file of the package touched."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from toy_kind import ToyJson
from werkzeug import Response

import pipeline
from pipeline.api import Feed
from pipeline.cli import cli
from pipeline.kinds import KINDS
from pipeline.run.scheduler import Scheduler, build_jobs


def _day_list(request) -> Response:
    day = request.args["day"]
    papers = [{"title": f"Toy paper {i} of {day}", "doi": f"10.5555/toy.{day}.{i}"} for i in (1, 2)]
    return Response(json.dumps(papers), content_type="application/json")


@pytest.fixture
def toy_feed(server, config_dir, db_path, monkeypatch):
    monkeypatch.setitem(KINDS, ToyJson.name, ToyJson)  # what `@register` does, undone after the test
    server.expect_request("/papers").respond_with_handler(_day_list)
    (config_dir / "sources.toml").write_text(
        f'[[source]]\nname = "toy"\nkind = "toy-json"\nurl = "{server.url_for("/papers")}"\n')
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("keep_raw = false", "keep_raw = true"))
    feed = pipeline.open(db_path, config_dir)
    yield feed
    feed.close()


def _days_asked(server, start: int = 0) -> list[str]:
    return [request.args["day"] for request, _ in server.log[start:]]


def _sightings(feed) -> list[tuple]:
    return feed.store.conn.execute(
        "SELECT paper_id, source, listing_date FROM sightings ORDER BY paper_id, listing_date").fetchall()


def test_a_toy_kind_does_everything_a_shipped_kind_does(toy_feed: Feed, server, db_path, config_dir):
    feed = toy_feed
    assert "keep_raw" in (config_dir / "settings.toml").read_text() and feed.config.storage.keep_raw

    # Ingested, for a given day.
    [run] = feed.ingest("toy", day="2024-03-01")
    assert (run.status, run.entries_parsed, run.papers_new) == ("ok", 2, 2)
    assert {p.doi for p in feed.papers(source="toy")} == {"10.5555/toy.2024-03-01.1", "10.5555/toy.2024-03-01.2"}

    # Scheduled: the kind's default crontab line becomes a job, and the job fetches the day it is run on.
    [job] = build_jobs(feed.config)
    assert (job.source.name, job.expression, job.zone) == ("toy", "17 6 * * *", "UTC")
    scheduler = Scheduler(feed.config, db_path, lambda: _opened(Feed(db_path, config_dir)),
                          now=lambda: datetime(2024, 3, 2, 12, 0, tzinfo=timezone.utc), echo=lambda line: None)
    asked = len(server.log)
    scheduler._tick("toy")
    assert _days_asked(server, asked) == ["2024-03-02"]

    # Caught up: after two missed days, one run fetches exactly those two and today.
    asked = len(server.log)
    summaries = feed.ingest_all(now=datetime(2024, 3, 5, 12, 0, tzinfo=timezone.utc))
    assert _days_asked(server, asked) == ["2024-03-03", "2024-03-04", "2024-03-05"]
    assert [s.status for s in summaries] == ["ok", "ok", "ok"]

    # Backfilled, resumably: a second walk over the same days fetches nothing.
    asked = len(server.log)
    days = list(feed.backfill("toy", "2024-02-27", "2024-02-29"))
    assert [d.status for d in days] == ["done", "done", "done"]
    assert _days_asked(server, asked) == ["2024-02-27", "2024-02-28", "2024-02-29"]
    assert [d.status for d in feed.backfill("toy", "2024-02-27", "2024-02-29")] == ["skipped"] * 3
    assert len(feed.papers(source="toy")) == 2 * 8

    # Reparsed from kept responses: no request, filed under the configured name, nothing duplicated.
    before, asked = _sightings(feed), len(server.log)
    replayed = feed.reparse(source="toy")
    assert len(replayed) == 8 and {(s.source, s.status) for s in replayed} == {("toy", "ok")}
    assert len(server.log) == asked
    assert _sightings(feed) == before and {row[1] for row in before} == {"toy"}

    # Shown in status, judged by the kind's own expectation.
    status = feed.status(now=datetime(2024, 3, 5, 13, 0, tzinfo=timezone.utc))
    [health] = status.sources
    assert health.name == "toy" and health.healthy and health.last_success is not None
    shown = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config_dir), "status"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("toy ") and "last success" in shown.output.splitlines()[0]


def _opened(feed: Feed):
    """The scheduler's per-job context: a fresh Feed's pipeline, closed after the job."""
    from contextlib import contextmanager

    @contextmanager
    def session():
        try:
            yield feed.pipeline()
        finally:
            feed.close()

    return session()
