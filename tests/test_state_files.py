"""Lock and pacing files never follow a planted symbolic link (or use a non-file) to overwrite something else."""

from __future__ import annotations

import os
import sqlite3

import pytest

from pipeline.http import FetchError, HttpSettings, fetch
from pipeline.run.locking import SourceLock, lock_path
from pipeline.statefile import StateFileRefused, open_state_file
from test_fetch_hf import add_source


@pytest.fixture
def victim(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("do not overwrite\n")
    return target


def test_a_symlinked_lock_file_is_refused_and_its_target_untouched(tmp_path, victim):
    db = tmp_path / "papers.db"
    os.symlink(victim, lock_path(db, "hf-local"))
    with pytest.raises(StateFileRefused, match="is a symbolic link"):
        SourceLock(db, "hf-local").acquire()
    assert victim.read_text() == "do not overwrite\n"


def test_a_fifo_as_state_file_is_refused(tmp_path):
    fifo = tmp_path / "pace-host"
    os.mkfifo(fifo)
    with pytest.raises(StateFileRefused, match="not a regular file"):
        open_state_file(fifo)


def test_a_symlinked_pace_file_fails_the_fetch_with_one_line(server, tmp_path, victim):
    os.symlink(victim, tmp_path / "pace-127.0.0.1")
    server.expect_request("/").respond_with_data("ok")
    settings = HttpSettings(allow_private=("127.0.0.1",), min_interval={"127.0.0.1": 0.01}, state_dir=tmp_path)
    with pytest.raises(FetchError, match=r"pacing state in .* unusable: .*pace-127\.0\.0\.1 is a symbolic link"):
        fetch(server.url_for("/"), settings)
    assert victim.read_text() == "do not overwrite\n" and server.log == []


def test_ingest_with_a_symlinked_lock_records_a_failed_run(server, run_cli, config_dir, db_path, victim):
    add_source(config_dir, server)
    os.symlink(victim, lock_path(db_path, "hf-local"))
    result = run_cli("ingest", "hf-local", "--date", "2024-08-01")
    assert result.exit_code == 1
    assert "lock file unusable" in result.output and "symbolic link" in result.output
    assert victim.read_text() == "do not overwrite\n" and server.log == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT status FROM runs WHERE source = 'hf-local'").fetchall() == [("failed",)]
