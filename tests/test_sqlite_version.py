"""The WAL-reset bug guard: which SQLite versions it flags, and the one line it prints at start-up."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import HF_API, ROOT
from pipeline.store import sqlite_version
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


def test_the_readme_commands_never_warn_whatever_the_library(tmp_path):
    """The warning belongs to status, doctor and schedule's start, not to every ingest and stats."""
    for args in (("ingest", str(HF_API)), ("stats",)):
        result = run_paperfeed(tmp_path, *args)
        assert result.returncode == 0, result.stderr
        assert "warning" not in result.stderr.lower()


@pytest.fixture
def affected_library(monkeypatch):
    """This process's SQLite as an affected build, whatever the machine links (the check reads it at call time)."""
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 40, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.40.1")
    monkeypatch.setattr(sqlite_version, "_warned", False)
    monkeypatch.delenv(sqlite_version.SILENCE_ENV, raising=False)


def test_status_warns_once_in_one_short_line_with_the_remedy(affected_library, run_cli, db_path):
    assert run_cli("ingest", str(HF_API)).exit_code == 0
    result = run_cli("status")
    warnings = [line for line in result.stderr.splitlines() if "WAL-reset bug" in line]
    assert len(warnings) == 1 and len(warnings[0]) < 200
    assert "SQLite 3.40.1" in warnings[0] and ">= 3.51.3" in warnings[0]
    assert "https://sqlite.org/wal.html#walresetbug" in warnings[0] and "PAPERFEED_SQLITE_WAL_CHECK=off" in warnings[0]


def test_the_warning_can_be_silenced_for_a_patched_build(affected_library, monkeypatch, run_cli):
    assert run_cli("ingest", str(HF_API)).exit_code == 0
    monkeypatch.setenv(sqlite_version.SILENCE_ENV, "off")
    assert "WAL-reset" not in run_cli("status").stderr
