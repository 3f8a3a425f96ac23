"""`paperfeed schedule` as a real process: overlap with a manual ingest, SIGTERM mid-run, a killed lock holder."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import pytest

from conftest import ROOT
from pipeline.run.locking import SourceLock
from pipeline.store.sqlite_version import wal_reset_bug_affected
from scheduling import HfServer, rows, source, tune, wait_for, write_sources


@pytest.fixture
def hf():
    server = HfServer()
    yield server
    server.stop()


def start_schedule(db_path, config_dir) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--db", str(db_path), "--config", str(config_dir), "schedule"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def stop(process: subprocess.Popen) -> tuple[int, str, str]:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    return process.returncode, out, err


EVERY_SECOND = "* * * * * *"  # while a run is held, max_instances=1 keeps later ticks out


def running_run(db_path) -> bool:
    return bool(rows(db_path, "select 1 from runs where status = 'running'"))


def test_manual_ingest_during_a_scheduled_run_is_skipped_and_only_the_scheduled_run_writes(
        hf, db_path, config_dir, run_cli):
    write_sources(config_dir, source("hf-local", "hf-daily", base_url=hf.base, schedule=EVERY_SECOND))
    hf.hold = "first"
    process = start_schedule(db_path, config_dir)
    try:
        wait_for(lambda: hf.entered.is_set() and running_run(db_path), what="the scheduled run to be mid-fetch")
        manual = run_cli("ingest", "hf-local")
        hf.release()
        wait_for(lambda: not running_run(db_path), what="the scheduled run to finish")
    finally:
        code, out, err = stop(process)
    assert manual.exit_code == 0, manual.output
    assert "skipped: another run of hf-local is active" in manual.output
    assert f"(pid {process.pid})" in manual.output
    assert code == 0, err
    assert "ok: 4 entries parsed, 4 papers new" in out
    runs = rows(db_path, "select id, status, pid from runs order by id")
    # Later ticks re-read the same listing; only the first, overlapped one changed any row.
    assert [(status, pid == process.pid) for _, status, pid in runs[:2]] == [("ok", True), ("skipped", False)]
    assert all(status == "ok" and pid == process.pid for _, status, pid in runs[2:])
    assert rows(db_path, "select distinct run_id from sightings") == [(runs[0][0],)]
    assert rows(db_path, "select count(*) from papers") == [(4,)]
    assert len(hf.dates()) == len(runs) - 1  # the skipped run fetched nothing


def test_sigterm_mid_fetch_exits_0_with_the_run_closed_as_interrupted_and_a_sound_database(
        hf, db_path, config_dir):
    write_sources(config_dir, source("hf-local", "hf-daily", base_url=hf.base, schedule=EVERY_SECOND))
    tune(config_dir, shutdown_timeout=0.5)
    hf.hold = "all"
    process = start_schedule(db_path, config_dir)
    try:
        wait_for(lambda: hf.entered.is_set() and running_run(db_path), what="the scheduled run to be mid-fetch")
    finally:
        code, out, err = stop(process)
    assert code == 0, err
    assert "SIGTERM: stopping" in out and "interrupted: scheduler stopped before the run finished" in out
    assert "Traceback" not in err
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert conn.execute("select status, error, finished_at is not null from runs").fetchall() == [
            ("interrupted", "scheduler stopped before the run finished", 1)]
        assert conn.execute("select count(*) from papers").fetchone() == (0,)
        beat = conn.execute("select last_status, pid from scheduler_heartbeat where job_id = '(scheduler)'")
        assert beat.fetchall() == [("stopped", process.pid)]


def test_sigterm_while_idle_exits_0_at_once_and_interrupts_nothing(hf, db_path, config_dir):
    write_sources(config_dir, source("hf-local", "hf-daily", base_url=hf.base, schedule="0 0 1 1 *"))
    process = start_schedule(db_path, config_dir)
    try:
        wait_for(lambda: rows(db_path, "select 1 from scheduler_heartbeat where job_id = '(scheduler)'"),
                 what="the first heartbeat")
    finally:
        code, out, err = stop(process)
    assert code == 0, err
    assert rows(db_path, "select count(*) from runs") == [(0,)]
    assert rows(db_path, "select next_run_at from scheduler_heartbeat where job_id = 'hf-local'")[0][0].endswith(
        "-01-01T00:00:00Z")


def test_a_lock_whose_holder_was_killed_is_free_at_once(db_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pipeline.run.locking import SourceLock;"
         f" assert SourceLock({str(db_path)!r}, 'hf-daily').acquire(); print('held', flush=True); time.sleep(60)"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = SourceLock(db_path, "hf-daily")
        assert lock.acquire(0.2) is False and lock.holder_pid() == holder.pid
        assert SourceLock(db_path, "hf-search").acquire() is True  # other sources are not blocked
    finally:
        holder.kill()
        holder.wait()
    with SourceLock(db_path, "hf-daily") as lock:
        assert lock.acquire(0) is True


def test_schedule_stamps_its_log_lines_and_warns_of_an_affected_sqlite_once_at_start(hf, db_path, config_dir):
    write_sources(config_dir, source("hf-local", "hf-daily", base_url=hf.base, schedule=EVERY_SECOND))
    env = {key: value for key, value in os.environ.items() if key != "PAPERFEED_SQLITE_WAL_CHECK"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--db", str(db_path), "--config", str(config_dir), "schedule"],
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(lambda: len(rows(db_path, "select id from runs where status in ('ok', 'not-modified')")) >= 2,
                 what="two scheduled runs")
    finally:
        code, out, err = stop(process)
    assert code == 0, err
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")
    run_lines = [line for line in out.splitlines() if re.search(r"hf-local [0-9-]+: (ok|not-modified)", line)]
    assert len(run_lines) >= 2 and all(stamp.match(line) for line in run_lines)
    assert stamp.match(err.splitlines()[0]) and "paperfeed schedule: pid" in err.splitlines()[0]
    warnings = [line for line in (out + err).splitlines() if "WAL-reset bug" in line]
    assert len(warnings) == (1 if wal_reset_bug_affected(sqlite3.sqlite_version_info) else 0)
