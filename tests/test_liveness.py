"""`paperfeed status` and `paperfeed schedule --status` judge the scheduler by one rule and agree."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from pipeline.store import Store
from pipeline.store.schedule import SCHEDULER_ROW, write_heartbeat
from scheduling import one_skipped_run


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def beat(db_path, seconds_ago: float, *, pid: int | None = None, status: str = "running") -> None:
    """A `(scheduler)` heartbeat row whose last tick (and update) is `seconds_ago` old."""
    tick = stamp(datetime.now(timezone.utc) - timedelta(seconds=seconds_ago))
    with Store(db_path) as store:
        write_heartbeat(store, SCHEDULER_ROW, last_run_at=tick, last_status=status)
    with sqlite3.connect(db_path) as conn:
        conn.execute("update scheduler_heartbeat set updated_at = ?" + (", pid = ?" if pid else "") + " where job_id = ?",
                     (tick, pid, SCHEDULER_ROW) if pid else (tick, SCHEDULER_ROW))


def heartbeat_every(config_dir, seconds: int) -> None:
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("heartbeat_seconds = 60", f"heartbeat_seconds = {seconds}"))


def only_untroubled_sources(config_dir, db_path) -> None:
    """No source at all, so the exit code of `status` speaks of the scheduler only (one run: not an empty ledger)."""
    (config_dir / "sources.toml").write_text("")
    one_skipped_run(db_path)


@pytest.mark.parametrize("every, alive", [(600, True), (60, False)])
def test_a_tick_400_s_old_is_judged_alike_by_status_and_schedule_status(run_cli, config_dir, db_path, every, alive):
    only_untroubled_sources(config_dir, db_path)
    heartbeat_every(config_dir, every)
    beat(db_path, 400)
    status = run_cli("status")
    scheduled = run_cli("schedule", "--status")
    if alive:
        assert status.exit_code == 0 and "scheduler: alive, last tick" in status.stdout, status.output
        assert scheduled.exit_code == 0 and "scheduler: running" in scheduled.stdout, scheduled.output
    else:
        assert status.exit_code == 1 and "heartbeat stale since" in status.stdout, status.output
        assert scheduled.exit_code == 1 and "scheduler: not running" in scheduled.stdout, scheduled.output


def test_a_fresh_tick_from_a_process_that_is_gone_is_dead_for_both(run_cli, config_dir, db_path):
    only_untroubled_sources(config_dir, db_path)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    beat(db_path, 1, pid=int(finished.stdout))
    status = run_cli("status")
    scheduled = run_cli("schedule", "--status")
    assert status.exit_code == 1 and "is gone" in status.stdout, status.output
    assert scheduled.exit_code == 1 and "scheduler: not running" in scheduled.stdout, scheduled.output


def test_a_clean_stop_is_not_trouble_for_status_but_not_running_for_schedule_status(run_cli, config_dir, db_path):
    only_untroubled_sources(config_dir, db_path)
    beat(db_path, 10, status="stopped")
    assert run_cli("status").exit_code == 0
    assert run_cli("schedule", "--status").exit_code == 1
