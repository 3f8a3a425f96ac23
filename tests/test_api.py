"""The Python API as a notebook uses it: `pipeline.open()`, typed Papers, a DataFrame, a read-only copy."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline
from pipeline.api import ReadOnlyError, UnknownTarget
from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEARCH_TEXT = ROOT / "fixtures" / "hf" / "hf_papers_search_medical-imaging_rendered-text_2026-02-23.txt"
HF_DAY = ROOT / "fixtures" / "hf" / "hf_papers_daily_2024-08-01_slbqc.html"


def test_a_notebook_ingests_lists_by_tag_and_builds_a_frame_through_open_alone(tmp_path):
    feed = pipeline.open(tmp_path / "papers.db")
    [run] = feed.ingest(SEARCH_TEXT)
    assert run.status == "ok" and run.entries_parsed == 64 and run.papers_new == 64
    everything = feed.papers()
    mri = feed.papers(tag="modality:mri")
    assert len(everything) == 64 and 0 < len(mri) < len(everything)
    assert all(isinstance(paper, pipeline.Paper) and "modality:mri" in paper.tags for paper in mri)
    assert all(paper.matched["modality:mri"] for paper in mri)  # the words behind the tag
    both = feed.papers(tag=["modality:mri", "task:segmentation"])
    assert {p.id for p in both} == {p.id for p in mri if "task:segmentation" in p.tags}
    either = feed.papers(tag=[("modality:mri", "modality:ct")])
    assert {p.id for p in either} == {p.id for p in everything if {"modality:mri", "modality:ct"} & set(p.tags)}
    with pytest.raises(FrozenInstanceError):
        mri[0].title = "changed"
    assert isinstance(mri[0].authors, tuple) and mri[0].sources == ("hf-search",)

    frame = feed.papers_frame(tag="modality:mri")
    assert list(frame["id"]) == [paper.id for paper in mri]
    assert set(frame.columns) >= {"title", "abstract", "authors", "tags", "published_at"}

    hits = feed.search("segmentation", tag="medical-imaging", limit=5)
    assert 0 < len(hits) <= 5 and all(hit.score is not None for hit in hits)
    assert feed.status().healthy
    feed.close()


def test_unknown_targets_and_bad_days_are_errors_that_say_what(tmp_path):
    with pipeline.open(tmp_path / "papers.db") as feed:
        with pytest.raises(UnknownTarget, match="no-such-thing: not a configured source"):
            feed.ingest("no-such-thing")
        with pytest.raises(ValueError, match="expected YYYY-MM-DD"):
            feed.papers(since="last tuesday")
        with pytest.raises(UnknownTarget, match="nope: not a configured source"):
            feed.backfill("nope", "2024-01-01", "2024-01-02")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_read_only_copy_is_read_without_migrating_or_writing(tmp_path):
    with pipeline.open(tmp_path / "papers.db") as feed:
        feed.ingest(HF_DAY)
        feed.ingest(SEARCH_TEXT)
        expected = feed.papers(tag="medical-imaging")
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    copy = shelf / "papers.db"
    shutil.copy(tmp_path / "papers.db", copy)
    # An older database: its newest migration is not recorded, so a writable open would apply it.
    with sqlite3.connect(copy) as conn:
        newest = conn.execute("SELECT max(id) FROM _sqlite_migrations").fetchone()[0]
        conn.execute("DELETE FROM _sqlite_migrations WHERE id = ?", (newest,))
    conn.close()
    copy.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    shelf.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    before = _sha256(copy)
    try:
        with pipeline.open(copy, read_only=True) as feed:
            assert feed.papers(tag="medical-imaging") == expected
            assert len(feed.search("segmentation")) > 0
            assert feed.status().sources  # the ledger reads too
            with pytest.raises(ReadOnlyError, match="opened read-only: ingest needs a writable database"):
                feed.ingest(HF_DAY)
            with pytest.raises(ReadOnlyError):
                feed.retag()
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                feed.store.conn.execute("DELETE FROM papers")
            migrations = feed.store.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
            assert migrations == newest - 1
    finally:
        shelf.chmod(0o755)
        copy.chmod(0o644)
    assert _sha256(copy) == before


def test_read_only_needs_an_existing_file(tmp_path):
    with pytest.raises(sqlite3.OperationalError, match="no such database file"):
        pipeline.open(tmp_path / "missing.db", read_only=True)
    assert not (tmp_path / "missing.db").exists()


def test_importing_pipeline_loads_nothing_heavy():
    code = "import sys, pipeline; print(sorted(m for m in sys.modules if m.startswith(('pipeline.', 'sqlite_utils', 'requests', 'click'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.strip() == "[]"


def test_the_read_commands_work_on_a_read_only_copy_with_read_only(tmp_path, run_cli, db_path, config_dir):
    assert run_cli("ingest", str(SEARCH_TEXT)).exit_code == 0
    with sqlite3.connect(db_path) as conn:  # what the rules tagged (62 of the 64: not the ECG-image paper)
        medical = conn.execute("SELECT count(*) FROM effective_tags WHERE tag = 'medical-imaging'").fetchone()[0]
    conn.close()
    assert medical >= 60
    copy = tmp_path / "shelf.db"
    shutil.copy(db_path, copy)
    copy.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = _sha256(copy)

    def ro(*args):
        return CliRunner().invoke(cli, ["--db", str(copy), "--config", str(config_dir), "--read-only", *args])

    found = ro("search", "segmentation", "--format", "json")
    assert found.exit_code == 0, found.output
    assert len(json.loads(found.stdout)) == 20
    exported = ro("export", "--format", "csv", "--tag", "medical-imaging")
    assert exported.exit_code == 0 and len(exported.stdout.splitlines()) == 1 + medical
    assert ro("runs").exit_code == 0 and ro("stats", "--days", "0").exit_code == 0
    refused = ro("ingest", str(SEARCH_TEXT))
    assert refused.exit_code == 2 and "opened read-only: ingest needs a writable database" in refused.stderr
    assert ro("retag").exit_code == 2
    missing = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "--read-only", "search", "x"])
    assert missing.exit_code == 2 and "no such database file" in missing.stderr
    copy.chmod(0o644)
    assert _sha256(copy) == before
