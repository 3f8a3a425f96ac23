"""A delivery says which sources were late or failed, waits for the ingests it depends on, and
tells "no new papers" apart from "the arXiv source failed"."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from conftest import FIXTURES
from pipeline.api import Feed
from pipeline.delivery import subscriptions
from pipeline.delivery.deliver import deliver
from pipeline.delivery.waiting import delivery_jobs, wait_for_ingests
from pipeline.model import RunRow
from pipeline.run.scheduler import Scheduler
from test_deliver import inbox  # noqa: F401  (fixture: a local SMTP server and what it received)
from test_read_digest import read_message

MEDICAL = FIXTURES / "read" / "api_daily_2024-10-28_medical.json"


@pytest.fixture
def pipe(db_path, config_dir):
    """The pipeline, opened after any fixture that edits the configuration."""
    session = Feed(db_path, config_dir)
    yield session.pipeline()
    session.close()


def subscribe(config_dir, **extra):
    lines = "\n".join(f"{key} = {value}" for key, value in extra.items())
    (config_dir / "subscriptions.toml").write_text(
        '[subscriptions.morning]\ntags = ["medical-imaging", "modality:mri"]\nrecipients = ["mailto:ana@lab.test"]\n'
        f'since = "2024-10-01"\nafter = ["arxiv-imaging"]\n{lines}\n')
    return subscriptions.load(config_dir)["morning"]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_no_new_papers_and_a_failed_source_are_different_messages(inbox, pipe, config_dir):
    sub = subscribe(config_dir, send_empty="true")
    quiet = deliver(pipe, sub)
    assert quiet.status == "nothing-new" and quiet.late_sources == ()
    [first] = [m for m in map(read_message, inbox.envelopes)]
    assert "No new papers in this period." in body(first) and "Warning" not in body(first)
    assert first["Subject"] == "paperfeed: morning: no new papers since 2024-10-01"
    # The night's arXiv run failed: the next message says so, in its subject and first lines.
    run_id = pipe.store.start_run("arxiv-imaging", "https://rss.arxiv.org/rss/eess.IV")
    pipe.store.finish_run(run_id, RunRow("failed", http_status=503, error="HTTP 503 Service Unavailable"))
    failed = deliver(pipe, sub)
    assert failed.late_sources == ("arxiv-imaging",)
    second = read_message(inbox.envelopes[1])
    assert second["Subject"].endswith("(sources late or failed)")
    text = body(second)
    assert "**Warning:** source arxiv-imaging: latest run" in text and "HTTP 503" in text
    assert "some may still come" in text


def test_a_failed_source_is_reported_even_without_send_empty(inbox, pipe, config_dir):
    sub = subscribe(config_dir)
    assert deliver(pipe, sub).status == "nothing-new" and inbox.envelopes == []  # nothing to say
    run_id = pipe.store.start_run("arxiv-imaging", "https://rss.arxiv.org/rss/eess.IV")
    pipe.store.finish_run(run_id, RunRow("failed", error="HTTP 503"))
    deliver(pipe, sub)
    assert len(inbox.envelopes) == 1 and "arxiv-imaging" in body(read_message(inbox.envelopes[0]))


def test_a_delivery_waits_for_a_running_ingest_and_names_it_when_it_gives_up(inbox, pipe, config_dir, run_cli):
    sub = subscribe(config_dir)
    assert run_cli("ingest", str(MEDICAL)).exit_code == 0
    run_id = pipe.store.start_run("arxiv-imaging", "https://rss.arxiv.org/rss/eess.IV")  # still running
    notices = wait_for_ingests(pipe, sub, threading.Event(), limit=timedelta(0), poll=0.01)
    assert notices and notices[0].startswith("source arxiv-imaging (still running): waited until")
    outcome = deliver(pipe, sub, unfinished=notices)
    assert outcome.status == "sent" and "arxiv-imaging" in outcome.late_sources
    text = body(read_message(inbox.envelopes[0]))
    assert "still running" in text and "Brain tumour segmentation" in text
    # Once the run is done, nothing is waited for.
    pipe.store.finish_run(run_id, RunRow("ok", entries_parsed=3))
    assert wait_for_ingests(pipe, sub, threading.Event(), limit=timedelta(0), poll=0.01) == []


def test_the_scheduler_runs_each_subscription_on_its_cadence(pipe, config_dir, db_path):
    subscribe(config_dir, cadence='"30 6 * * mon-fri"', timezone='"Europe/Berlin"')
    [job] = delivery_jobs(pipe.config)
    assert job.id == "deliver:morning" and str(job.trigger.timezone) == "Europe/Berlin"
    scheduler = Scheduler(pipe.config, db_path, lambda: None, echo=lambda line: None)
    assert scheduler.scheduler.get_job("deliver:morning") is not None
    (config_dir / "subscriptions.toml").write_text('[subscriptions.x]\nrecipients = ["a@b.org"]\ncadence = "hourly"\n')
    with pytest.raises(subscriptions.ConfigError, match="cadence 'hourly'"):
        delivery_jobs(pipe.config)

