"""The scheduler in this process: second-level cron triggers against a real local server."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pytest

from pipeline.api import Feed
from pipeline.cli.schedule import _pipelines
from pipeline.config import load_config
from pipeline.model import RunRow
from pipeline.run.scheduler import Scheduler
from scheduling import HfServer, rows, source, tune, wait_for, write_sources

EVERY_SECOND = "* * * * * *"


@pytest.fixture
def hf():
    server = HfServer()
    yield server
    server.stop()


class Running:
    """A Scheduler serving in a background thread until the test stops it."""

    def __init__(self, db_path, config_dir, now=None):
        session = Feed(db_path, config_dir)
        self.lines: list[str] = []
        self.scheduler = Scheduler(load_config(config_dir), db_path, _pipelines(session), now=now,
                                   echo=self.lines.append)
        self.result: list[bool] = []
        self.thread = threading.Thread(target=lambda: self.result.append(self.scheduler.serve(handle_signals=False)))
        self.thread.start()

    def stop(self) -> bool:
        self.scheduler.stop()
        self.thread.join(15)
        assert not self.thread.is_alive()
        return self.result[0]


def test_cron_job_writes_runs_and_a_raising_job_is_recorded_failed_without_stopping_ticks(
        hf, db_path, config_dir, run_cli):
    # "broken" has no query: its job fails every second.
    write_sources(config_dir,
                  source("hf-local", "hf-daily", base_url=hf.base, schedule=EVERY_SECOND),
                  source("broken", "hf-search", base_url=hf.base, query="", schedule=EVERY_SECOND))
    tune(config_dir, heartbeat_seconds=1)
    running = Running(db_path, config_dir)
    try:
        wait_for(lambda: len(rows(db_path, "select 1 from runs where source = 'broken' and status = 'failed'")) >= 2
                 # The second tick finds the same listing: not-modified (conditional GET / same body).
                 and len(rows(db_path, "select 1 from runs where source = 'hf-local'"
                                       " and status in ('ok', 'not-modified')")) >= 2,
                 what="two ticks of each job")
    finally:
        assert running.stop() is True
    failed = rows(db_path, "select error from runs where source = 'broken'")
    assert all(status == ("source 'broken' needs a query",) for status in failed)
    assert rows(db_path, "select count(*) from runs where status = 'running'") == [(0,)]
    today = datetime.now(timezone.utc).date().isoformat()
    assert {r[0] for r in rows(db_path, "select listing_date from runs where source = 'hf-local'")} == {today}
    assert rows(db_path, "select count(*) from sightings where source = 'hf-local'") == [(4,)]
    assert any("hf-local: ok: 4 entries parsed" in line for line in running.lines)
    beats = {r[0]: r[1:] for r in rows(db_path, "select job_id, last_status, pid from scheduler_heartbeat")}
    assert beats["broken"][0] == "failed" and beats["hf-local"][0] in ("ok", "not-modified")
    assert beats["(scheduler)"][0] == "stopped"
    status = run_cli("schedule", "--status")
    assert status.exit_code == 1 and "scheduler: not running" in status.output
    assert "broken: last run" in status.output and "failed" in status.output


def test_three_days_of_downtime_are_fetched_once_in_one_run(hf, db_path, config_dir, run_cli):
    write_sources(config_dir, source("hf-local", "hf-daily", base_url=hf.base, schedule=EVERY_SECOND))
    # Before the downtime: 2024-10-21 (D-4) was ingested completely.
    assert run_cli("ingest", "hf-local", "--date", "2024-10-21").exit_code == 0
    hf.http.clear_log()
    today = datetime(2024, 10, 25, 12, 0, tzinfo=timezone.utc)
    running = Running(db_path, config_dir, now=lambda: today)
    try:
        wait_for(lambda: rows(db_path, "select count(*) from runs where listing_date = '2024-10-25'")[0][0] >= 3,
                 what="three ticks")
    finally:
        running.stop()
    requested = hf.dates()
    assert sorted(set(requested)) == ["2024-10-22", "2024-10-23", "2024-10-24", "2024-10-25"]
    assert [requested.count(d) for d in ("2024-10-22", "2024-10-23", "2024-10-24")] == [1, 1, 1]
    assert requested[:4] == ["2024-10-22", "2024-10-23", "2024-10-24", "2024-10-25"]  # one catch-up tick
    assert requested[4:] == ["2024-10-25"] * (len(requested) - 4)  # later ticks: only today's listing
    days = rows(db_path, "select listing_date, status, count(*) from runs group by 1, 2 order by 1")
    assert days[:4] == [("2024-10-21", "ok", 1), ("2024-10-22", "ok", 1), ("2024-10-23", "ok", 1),
                        ("2024-10-24", "ok", 1)]


def test_catch_up_stays_inside_its_window(hf, db_path, config_dir, run_cli):
    write_sources(config_dir, source("hf-local", "hf-daily", base_url=hf.base, catch_up_days=2))
    assert run_cli("ingest", "hf-local", "--date", "2024-10-14").exit_code == 0
    hf.http.clear_log()
    from pipeline.run.sources import run_all

    session = Feed(db_path, config_dir)
    try:
        summaries = run_all(session.pipeline(), now=datetime(2024, 10, 25, 12, 0, tzinfo=timezone.utc))
    finally:
        session.close()
    assert [s.status for s in summaries] == ["ok", "ok", "ok"]
    assert hf.dates() == ["2024-10-23", "2024-10-24", "2024-10-25"]


def test_yesterday_is_fetched_once_more_after_the_morning_settle_time(db_path, config_dir):
    from pipeline.run.units import days_to_fetch

    session = Feed(db_path, config_dir)
    store = session.pipeline().store
    hf_daily = session.pipeline().config.source("hf-daily")
    # Hand-made ledger: yesterday's run completed at 23:17 the evening before.
    run_id = store.start_run("hf-daily", "t", "2024-10-24")
    store.finish_run(run_id, RunRow("ok"))
    store.conn.execute("update runs set started_at = '2024-10-24T23:17:00Z' where id = ?", (run_id,))
    at = lambda hour: datetime(2024, 10, 25, hour, 17, tzinfo=timezone.utc)  # noqa: E731
    assert days_to_fetch(store, hf_daily, now=at(5), window=7) == [date(2024, 10, 25)]
    assert days_to_fetch(store, hf_daily, now=at(6), window=7) == [date(2024, 10, 24), date(2024, 10, 25)]
    settled = store.start_run("hf-daily", "t", "2024-10-24")
    store.finish_run(settled, RunRow("ok"))
    store.conn.execute("update runs set started_at = '2024-10-25T06:17:03Z' where id = ?", (settled,))
    assert days_to_fetch(store, hf_daily, now=at(12), window=7) == [date(2024, 10, 25)]
    # A scheduler slot that a complete run already served (another process) fetches nothing more.
    done = store.start_run("hf-daily", "t", "2024-10-25")
    store.finish_run(done, RunRow("ok"))
    store.conn.execute("update runs set started_at = '2024-10-25T12:17:01Z' where id = ?", (done,))
    assert days_to_fetch(store, hf_daily, now=at(12), window=7, slot=at(12)) == []
    session.close()


def test_two_schedulers_on_one_database_run_a_slot_once(hf, db_path, config_dir):
    from datetime import timedelta

    second = (datetime.now(timezone.utc) + timedelta(seconds=2)).second
    write_sources(config_dir, source("hf-local", "hf-daily", base_url=hf.base, schedule=f"{second} * * * * *"))
    tune(config_dir, lock_wait=10)  # the second one waits for the lock instead of recording `skipped`
    hf.hold = "first"
    first, other = Running(db_path, config_dir), Running(db_path, config_dir)
    try:
        wait_for(hf.entered.is_set, what="the slot's run to be mid-fetch")
        wait_for(lambda: sum(bool(r.scheduler._active) for r in (first, other)) == 2,
                 what="both schedulers to have started the slot's job")
        hf.release()
        wait_for(lambda: not any(r.scheduler._active for r in (first, other)), what="both jobs to end")
    finally:
        first.stop(), other.stop()
    assert rows(db_path, "select status, listing_date from runs") == [
        ("ok", datetime.now(timezone.utc).date().isoformat())]
    assert len(hf.dates()) == 1
