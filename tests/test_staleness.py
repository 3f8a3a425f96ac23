"""Silent staleness, judged by `paperfeed status` over days of real ingests from the simulated upstream.

Each test ingests one source once a day under a simulated clock (time-machine),
from `upstream_sim`'s script built from real samples, then asks `status --at`
about the day after. A stale journal feed, a partial Hugging Face day, an
unannounced arXiv gap and a stopped scheduler each exit 1 with a one-line
reason; weekends and arXiv's Thanksgiving holiday exit 0.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine

from pipeline.store import Store
from pipeline.store.schedule import SCHEDULER_ROW, write_heartbeat
from sim_clock import sim_sources
from upstream_sim import SimServer, Upstream

START = date(2026, 10, 26)  # a Monday: four weeks of history before Thanksgiving week


@pytest.fixture
def upstream_for(config_dir):
    servers = []

    def start(only: tuple[str, ...], **script) -> Upstream:
        upstream = Upstream(START, 40, **script)
        server = SimServer(upstream)
        servers.append(server)
        (config_dir / "sources.toml").write_text(sim_sources(server.base, only=only))
        return upstream

    yield start
    for server in servers:
        server.stop()


def ingest_daily(run_cli, source: str, first: date, last: date, at: time) -> None:
    """One run of the source at `at` (UTC) every day from `first` to `last`."""
    day = first
    while day <= last:
        with time_machine.travel(datetime.combine(day, at, timezone.utc), tick=False):
            result = run_cli("ingest", source)
            assert result.exit_code in (0, 1), result.output
        day += timedelta(days=1)


def status_at(run_cli, moment: datetime):
    return run_cli("status", "--at", moment.strftime("%Y-%m-%dT%H:%M"))


def reasons(result, word: str) -> list[str]:
    return [line.strip() for line in result.stdout.splitlines() if line.strip().startswith(word)]


def test_a_journal_feed_that_stops_changing_for_a_week_is_stale_and_its_weekend_is_not(run_cli, upstream_for):
    upstream_for(("journal-of-imaging",), journal_stops=date(2026, 11, 23))
    ingest_daily(run_cli, "journal-of-imaging", START, date(2026, 11, 23), time(12, 0))
    weekend = status_at(run_cli, datetime(2026, 11, 23, 13, 0))  # Saturday and Sunday brought nothing
    assert weekend.exit_code == 0, weekend.output
    assert not reasons(weekend, "stale")
    ingest_daily(run_cli, "journal-of-imaging", date(2026, 11, 24), date(2026, 11, 30), time(12, 0))
    stale = status_at(run_cli, datetime(2026, 11, 30, 13, 0))
    assert stale.exit_code == 1
    [line] = reasons(stale, "stale")
    assert line.startswith("stale: no new paper since 2026-11-20") and "its last" in line  # its own history
    digest = run_cli("digest", "--since", "2026-11-01")
    assert digest.exit_code == 0
    assert digest.stdout.splitlines()[2] == f"> **Warning:** source journal-of-imaging: {line}"


def test_a_small_partial_hugging_face_day_is_flagged_against_its_usual_volume(run_cli, upstream_for):
    upstream_for(("hf-daily",), hf_short_days={date(2026, 11, 24): 1})
    ingest_daily(run_cli, "hf-daily", START, date(2026, 11, 24), time(23, 50))
    assert status_at(run_cli, datetime(2026, 11, 24, 23, 55)).exit_code == 0  # the day is not over yet
    ingest_daily(run_cli, "hf-daily", date(2026, 11, 25), date(2026, 11, 25), time(0, 10))
    partial = status_at(run_cli, datetime(2026, 11, 25, 0, 15))
    assert partial.exit_code == 1, partial.output
    [line] = reasons(partial, "partial")
    assert line.startswith("partial listing: 2026-11-24 has 1 new papers, a usual day 32")


def test_arxiv_weekends_and_thanksgiving_are_quiet_but_an_unannounced_gap_is_not(run_cli, upstream_for):
    upstream_for(("arxiv-imaging",))
    ingest_daily(run_cli, "arxiv-imaging", START, date(2026, 11, 28), time(6, 0))
    quiet = status_at(run_cli, datetime(2026, 11, 28, 7, 0))  # after Thanksgiving Thursday and a Friday
    assert quiet.exit_code == 0, quiet.output
    assert not reasons(quiet, "skipped") and not reasons(quiet, "stale")


def test_an_arxiv_weekday_without_a_mailing_outside_its_calendar_is_a_skipped_day(run_cli, upstream_for):
    upstream_for(("arxiv-imaging",), arxiv_skips={date(2026, 11, 24)})
    ingest_daily(run_cli, "arxiv-imaging", START, date(2026, 11, 25), time(6, 0))
    skipped = status_at(run_cli, datetime(2026, 11, 25, 7, 0))
    assert skipped.exit_code == 1
    assert reasons(skipped, "skipped") == [
        "skipped 2026-11-24: no papers on a Tuesday, a day it publishes on (its last 23 days' weekdays, volume, silences)"]


def test_a_source_quiet_day_in_its_configuration_is_not_a_skipped_day(run_cli, upstream_for, config_dir):
    upstream_for(("arxiv-imaging",), arxiv_skips={date(2026, 11, 24)})
    with (config_dir / "sources.toml").open("a") as handle:
        handle.write('quiet_days = ["2026-11-24"]\n')
    ingest_daily(run_cli, "arxiv-imaging", START, date(2026, 11, 25), time(6, 0))
    assert status_at(run_cli, datetime(2026, 11, 25, 7, 0)).exit_code == 0


def test_a_stopped_scheduler_is_flagged_once_a_slot_passes_without_a_run(run_cli, upstream_for, db_path):
    upstream_for(("journal-of-imaging",))
    ingest_daily(run_cli, "journal-of-imaging", date(2026, 11, 16), date(2026, 11, 20), time(7, 43))
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc), tick=False):
        with Store(db_path) as store:  # what `paperfeed schedule` writes when it stops cleanly
            write_heartbeat(store, SCHEDULER_ROW, last_run_at="2026-11-20T09:00:00Z", last_status="stopped")
    just_stopped = status_at(run_cli, datetime(2026, 11, 20, 10, 0))
    assert just_stopped.exit_code == 0, just_stopped.output
    stopped = status_at(run_cli, datetime(2026, 11, 21, 9, 0))  # the 07:43 slot went by
    assert stopped.exit_code == 1
    assert reasons(stopped, "scheduler stopped") == [
        "scheduler stopped (last seen 2026-11-20T09:00:00Z): journal-of-imaging missed its run due"
        " 2026-11-21T07:43:00Z, and nothing ran it since"]
