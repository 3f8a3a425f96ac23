"""A full disk before or during an ingest: one line naming the real cause, the run recorded when it can be.

On a real small tmpfs (skipped with the reason where mounting is not allowed):
the database gets one good ingest, then the disk is filled, leaving either
nothing or a little room (enough for the run row, not for the listing).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from click.testing import CliRunner
from smallfs import fill, mounted_tmpfs

from conftest import HF_API, HF_HTML
from pipeline.cli import cli


@contextmanager
def prepared_disk(tmp_path, config_dir, room_kib: int):
    with mounted_tmpfs(tmp_path / "disk", "1m") as folder:
        db = folder / "papers.db"
        assert ingest(db, config_dir, HF_API).exit_code == 0
        reserve = folder / "reserve"
        reserve.write_bytes(b"\0" * room_kib * 1024)
        fill(folder)
        reserve.unlink()
        yield db


def ingest(db, config_dir, sample):
    return CliRunner().invoke(cli, ["--db", str(db), "--config", str(config_dir), "ingest", str(sample)])


def test_a_full_disk_during_an_ingest_is_recorded_as_the_real_cause(tmp_path, config_dir):
    with prepared_disk(tmp_path, config_dir, room_kib=96) as db:
        result = ingest(db, config_dir, HF_HTML)
        assert result.exit_code == 1
        assert "database or disk is full" in result.output and "cannot rollback" not in result.output
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
        with sqlite3.connect(db) as conn:
            status, error = conn.execute("SELECT status, error FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        assert status == "failed" and error.endswith("database or disk is full")
        assert papers == 4  # the first ingest's, nothing of the failed one


def test_a_disk_already_full_is_one_line_naming_it(tmp_path, config_dir):
    with prepared_disk(tmp_path, config_dir, room_kib=0) as db:
        result = ingest(db, config_dir, HF_HTML)
        assert result.exit_code != 0
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
        assert "full" in result.output, result.output
