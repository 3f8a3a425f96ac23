"""A listing writes its full-text index itself, in one statement; the index stays exactly the papers' text.

FTS5's own integrity check, given a rank argument, compares the index with
the `papers` rows it is built from: it fails on a missing, extra or stale
entry. It runs after new papers, changed titles and abstracts, a DOI-only
paper merged into its arXiv row (a delete and a re-key), and after writers
other than paperfeed, which still go through the triggers.
"""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, HF_API, HF_HTML
from pipeline.cli import cli
from pipeline.store import Store
from sources_helpers import JOURNAL_ATOM, arxiv_rss

EDGE_RSS = FIXTURES / "arxiv" / "handmade_rss_edge-cases.xml"


def ingest(db, *paths):
    for path in paths:
        result = CliRunner().invoke(cli, ["--db", str(db), "ingest", str(path)])
        assert result.exit_code == 0, result.output


def assert_index_matches_papers(db):
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)")
        assert conn.execute("SELECT count(*) FROM fts_deferred").fetchone() == (0,)
        indexed = conn.execute("SELECT count(*) FROM papers_fts").fetchone()[0]
        assert indexed == conn.execute("SELECT count(*) FROM papers").fetchone()[0] > 0


def search(db, words):
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute(
            "SELECT p.id FROM papers_fts JOIN papers p ON p.rowid = papers_fts.rowid"
            " WHERE papers_fts MATCH ? ORDER BY p.id", (words,))]


def test_new_papers_are_indexed_by_the_listing(db_path):
    ingest(db_path, HF_HTML, HF_API, EDGE_RSS)
    assert_index_matches_papers(db_path)
    assert search(db_path, "tumours") == ["arxiv:2601.01234"]


def test_changed_text_and_merged_papers_leave_the_index_consistent(tmp_path, db_path):
    first = tmp_path / "first.xml"
    first.write_bytes(EDGE_RSS.read_bytes())
    ingest(db_path, first)
    first.write_bytes(EDGE_RSS.read_bytes().replace(b"Revised abstract.", b"Revised abstract about ultrasound."))
    ingest(db_path, first)
    assert search(db_path, "ultrasound") == ["arxiv:2405.00001"]
    # A DOI-only journal entry, then arXiv announcing the same DOI: the DOI row merges into the arXiv row.
    arxiv = tmp_path / "arxiv_doi.xml"
    arxiv.write_bytes(arxiv_rss([{
        "arxiv_id": "2509.00123", "version": 1, "title": "Self-supervised pretraining for CT triage",
        "authors": "Grace Hopper, Alan Turing", "abstract": "We pretrain on a million scans.",
        "doi": "10.1234/JMIR.2025.0101"}]))
    ingest(db_path, JOURNAL_ATOM, arxiv)
    assert search(db_path, "pretraining triage") == ["arxiv:2509.00123"]
    assert_index_matches_papers(db_path)


def test_other_writers_still_keep_the_index_through_the_triggers(db_path):
    ingest(db_path, EDGE_RSS)
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO papers (id, title, first_seen_at, last_seen_at)"
                     " VALUES ('title:hand', 'Elastography by hand', '2026-01-01', '2026-01-01')")
        conn.execute("UPDATE papers SET title = 'Knots in tomography' WHERE id = 'arxiv:math.GT/0309136'")
        conn.execute("DELETE FROM papers WHERE id = 'arxiv:2601.05555'")
    assert search(db_path, "elastography") == ["title:hand"]
    assert search(db_path, "tomography") == ["arxiv:math.GT/0309136"]
    assert search(db_path, "knots") == ["arxiv:math.GT/0309136"]
    assert_index_matches_papers(db_path)


def test_a_listing_that_fails_leaves_neither_index_entries_nor_the_guard(db_path):
    ingest(db_path, EDGE_RSS)
    store = Store(db_path)
    with pytest.raises(RuntimeError):
        with store.write_transaction() as conn:
            from pipeline.store.fts_write import ListingIndex

            index = ListingIndex(conn)
            rowid = conn.execute("INSERT INTO papers (id, title, first_seen_at, last_seen_at)"
                                 " VALUES ('title:x', 'Lost elastography', 'd', 'd')").lastrowid
            index.inserted(rowid)
            index.flush()
            raise RuntimeError("the store failed after indexing")
    store.close()
    assert search(db_path, "elastography") == []
    assert_index_matches_papers(db_path)
