"""The WAL-reset bug guard: which SQLite versions it flags, and the one line it prints at start-up."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import HF_API, ROOT
from pipeline.store.sqlite_version import wal_reset_bug_affected


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ((3, 6, 23), False),  # before WAL existed
        ((3, 7, 0), True),
        ((3, 40, 1), True),  # Debian 12
        ((3, 44, 5), True),
        ((3, 44, 6), False),  # backport
        ((3, 45, 0), True),
        ((3, 46, 1), True),  # Debian 13
        ((3, 50, 6), True),
        ((3, 50, 7), False),  # backport
        ((3, 51, 2), True),
        ((3, 51, 3), False),  # the fix
        ((3, 52, 0), False),
        ((3, 53, 4), False),
    ],
)
def test_affected_range(version, affected):
    assert wal_reset_bug_affected(version) is affected


def run_paperfeed(tmp_path, *args, **env):
    environment = {k: v for k, v in os.environ.items() if k != "PAPERFEED_SQLITE_WAL_CHECK"}
    environment.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run([sys.executable, "-m", "pipeline", "--db", str(tmp_path / "p.db"), *args],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


def test_start_up_warns_in_one_line_exactly_when_the_linked_library_is_affected(tmp_path):
    result = run_paperfeed(tmp_path, "ingest", str(HF_API))
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "WAL-reset bug" in line]
    if wal_reset_bug_affected(sqlite3.sqlite_version_info):
        assert len(warnings) == 1
        assert sqlite3.sqlite_version in warnings[0] and "3.51.3" in warnings[0]
        assert "https://sqlite.org/wal.html#walresetbug" in warnings[0]
    else:
        assert warnings == []


def test_the_warning_can_be_silenced_for_a_patched_build(tmp_path):
    result = run_paperfeed(tmp_path, "ingest", str(HF_API), PAPERFEED_SQLITE_WAL_CHECK="off")
    assert result.returncode == 0 and "WAL-reset" not in result.stderr
