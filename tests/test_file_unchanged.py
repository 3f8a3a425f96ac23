"""A saved file is hashed before it is parsed: the same bytes again are a `not-modified` run."""

from __future__ import annotations

import shutil
import sqlite3

from conftest import FIXTURES, HF_API


def runs(db_path):
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT status, entries_parsed, bytes, error FROM runs ORDER BY id").fetchall()


def stored(db_path):
    with sqlite3.connect(db_path) as conn:
        return [conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("papers", "sightings", "paper_tags", "papers_fts")]


def test_the_same_file_again_is_a_not_modified_run_and_writes_nothing(run_cli, db_path, tmp_path):
    listing = tmp_path / "listing.json"
    shutil.copy(HF_API, listing)
    first = run_cli("ingest", str(listing))
    assert first.exit_code == 0, first.output
    before = stored(db_path)
    again = run_cli("ingest", str(listing))
    assert again.exit_code == 0, again.output
    assert "not-modified" in again.output and "file unchanged" in again.output
    (status_1, parsed_1, bytes_1, _), (status_2, parsed_2, bytes_2, error_2) = runs(db_path)
    assert (status_1, status_2) == ("ok", "not-modified")
    assert parsed_1 == 4 and parsed_2 == 0
    assert bytes_1 == bytes_2 == listing.stat().st_size
    assert "file unchanged since the last stored run" in error_2
    assert stored(db_path) == before


def test_force_parses_an_unchanged_file_again(run_cli, db_path, tmp_path):
    listing = tmp_path / "listing.json"
    shutil.copy(HF_API, listing)
    run_cli("ingest", str(listing))
    forced = run_cli("ingest", "--force", str(listing))
    assert forced.exit_code == 0, forced.output
    assert [row[:2] for row in runs(db_path)] == [("ok", 4), ("ok", 4)]


def test_a_changed_file_is_parsed_and_then_remembered_by_its_new_hash(run_cli, db_path, tmp_path):
    listing = tmp_path / "listing.xml"
    shutil.copy(FIXTURES / "arxiv" / "rss_cs.CV_2025-09-22_first-item_closing-tags-appended.xml", listing)
    run_cli("ingest", str(listing))
    listing.write_bytes(listing.read_bytes().replace(b"</channel>", b"<!-- rebuilt --></channel>"))
    assert run_cli("ingest", str(listing)).exit_code == 0
    assert run_cli("ingest", str(listing)).exit_code == 0
    assert [row[0] for row in runs(db_path)] == ["ok", "ok", "not-modified"]


def test_a_file_that_failed_to_parse_is_not_remembered(run_cli, db_path, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<rss><channel><item><title>cut off")
    assert run_cli("ingest", str(broken)).exit_code == 1
    assert run_cli("ingest", str(broken)).exit_code == 1
    assert [row[0] for row in runs(db_path)] == ["failed", "failed"]


def test_force_is_refused_for_a_configured_source(run_cli):
    result = run_cli("ingest", "--force", "--all")
    assert result.exit_code == 2 and "--force: only for a URL or a file" in result.output
