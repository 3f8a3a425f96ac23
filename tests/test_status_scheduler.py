"""`paperfeed status` shows the scheduler's heartbeat and each source's next slot."""

from __future__ import annotations

from pipeline.store import Store
from pipeline.store.schedule import SCHEDULER_ROW, write_heartbeat
from scheduling import one_skipped_run


def test_a_stale_heartbeat_fails_status_and_a_clean_stop_does_not(run_cli, db_path):
    one_skipped_run(db_path)
    with Store(db_path) as store:
        write_heartbeat(store, SCHEDULER_ROW, last_run_at="2026-01-01T00:00:00Z", last_status="tick")
        write_heartbeat(store, "hf-daily", last_run_at="2026-01-01T00:00:00Z", last_status="ok",
                        next_run_at="2026-01-01T06:17:00Z")
    stale = run_cli("status")
    assert stale.exit_code == 1
    assert "heartbeat stale since 2026-01-01T00:00:00Z" in stale.stdout
    assert "job hf-daily: last run 2026-01-01T00:00:00Z ok, next run 2026-01-01T06:17:00Z" in stale.stdout
    with Store(db_path) as store:
        write_heartbeat(store, SCHEDULER_ROW, last_status="stopped")
    stopped = run_cli("status")
    assert stopped.exit_code == 0, stopped.output
    assert "scheduler: stopped at" in stopped.stdout


def test_next_due_follows_each_source_schedule(run_cli, config_dir, db_path):
    one_skipped_run(db_path)
    with (config_dir / "sources.toml").open("a") as handle:
        handle.write('\n[[source]]\nname = "hourly"\nkind = "hf-search"\nquery = "x"\nschedule = "5 * * * *"\n')
    result = run_cli("status")
    line = next(line for line in result.stdout.splitlines() if line.startswith("hourly"))
    assert line.endswith(":05:00Z") and "next due" in line
    assert "scheduler: never ran on this database" in result.stdout
