"""The arXiv RSS, legacy RDF, API Atom and bioRxiv samples ingested through the CLI, by file and by URL."""

from __future__ import annotations

import json

import pytest

from sources_helpers import (
    API_ERROR, API_NEW_BACKEND, API_SAMPLE, BIORXIV_API, BIORXIV_RSS, EDGE_RSS, RDF_SAMPLE, RSS_SAMPLE, rows,
)

# What each real sample must store: (file, source name it is filed under, {paper id: (title, first authors, dates)}).
EXPECTED = [
    (RSS_SAMPLE, "adhoc:arxiv-rss", {
        "arxiv:2509.15234": ("2509.15234", 1, "Exploring the Capabilities of LLM Encoders for Image-Text Retrieval in Chest X-rays",
                             [], "2025-09-22T04:00:00Z", None, "2025-09-22"),
    }),
    (RDF_SAMPLE, "adhoc:arxiv-rdf", {
        "arxiv:1805.08875": ("1805.08875", 1, "Measurement of Transverse Single Spin Asymmetries", ["Christopher Dilks"],
                             "2018-05-24", None, "2018-05-24"),
        "arxiv:1805.06430": ("1805.06430", 2, "New Perspective on Hybrid Mesons", ["Shu-Sheng Xu", "Zhu-Fang Cui"],
                             None, "2018-05-24", "2018-05-24"),
    }),
    (API_SAMPLE, "adhoc:arxiv-api", {
        "arxiv:hep-ex/0307015": ("hep-ex/0307015", 1, "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA",
                                 ["H1 Collaboration"], "2003-07-07T17:46:39Z", "2003-07-07T17:46:39Z", None),
    }),
    (API_NEW_BACKEND, "adhoc:arxiv-api", {
        "arxiv:2609.04658": ("2609.04658", 1, "VizIt: A multi-view framework for exploring single-cell, spatial, and genetic data online",
                             ["Chenhang Christopher Zhang", "Yanqing Lou", "Xianjun Dong"], "2026-09-04T02:40:47Z",
                             "2026-09-04T02:40:47Z", None),
    }),
]


def _check_stored(db_path, source, expected):
    for key, (arxiv_id, version, title, authors, published, updated, listed) in expected.items():
        row = rows(db_path, "select arxiv_id, arxiv_version, title, authors, published_at, updated_at from papers where id = ?", (key,))
        assert row, f"{key} not stored"
        stored_id, stored_version, stored_title, stored_authors, stored_published, stored_updated = row[0]
        assert (stored_id, stored_version, stored_title) == (arxiv_id, version, title)
        assert json.loads(stored_authors)[: len(authors)] == authors
        assert (stored_published, stored_updated) == (published, updated)
        sighting = rows(db_path, "select source, listing_date from sightings where paper_id = ?", (key,))
        assert len(sighting) == 1 and sighting[0][0] == source
        if listed:
            assert sighting[0][1] == listed


@pytest.mark.parametrize("path, source, expected", EXPECTED, ids=lambda v: getattr(v, "name", None))
def test_arxiv_sample_by_file(run_cli, db_path, path, source, expected):
    result = run_cli("ingest", str(path))
    assert result.exit_code == 0, result.output
    _check_stored(db_path, source, expected)
    assert rows(db_path, "select source, status from runs") == [(source, "ok")]


@pytest.mark.parametrize("path, source, expected", EXPECTED, ids=lambda v: getattr(v, "name", None))
def test_arxiv_sample_by_url(run_cli, db_path, server, path, source, expected):
    server.expect_request("/feed").respond_with_data(path.read_bytes(), content_type="application/xml")
    result = run_cli("ingest", server.url_for("/feed"))
    assert result.exit_code == 0, result.output
    _check_stored(db_path, source, expected)


def test_old_style_ids_round_trip_through_the_database(run_cli, db_path):
    assert run_cli("ingest", str(EDGE_RSS)).exit_code == 0
    assert run_cli("ingest", str(API_SAMPLE)).exit_code == 0
    stored = dict(rows(db_path, "select arxiv_id, id from papers where arxiv_id like '%/%'"))
    assert stored == {"math.GT/0309136": "arxiv:math.GT/0309136", "hep-ex/0307015": "arxiv:hep-ex/0307015"}
    looked_up = rows(db_path, "select paper_id from identifiers where scheme = 'arxiv' and value = 'math.GT/0309136'")
    assert looked_up == [("arxiv:math.GT/0309136",)]
    # Parsing the same feed again (--force: unchanged bytes are otherwise not parsed) finds the same rows.
    again = run_cli("ingest", "--force", str(EDGE_RSS))
    assert "0 papers new" in again.output
    assert rows(db_path, "select count(*) from papers where arxiv_id like '%/%'") == [(2,)]


def test_biorxiv_feed_sample_by_file(run_cli, db_path):
    result = run_cli("ingest", str(BIORXIV_RSS))
    assert result.exit_code == 0, result.output
    row = rows(db_path, "select id, doi, preprint_version, title, authors, published_at, url from papers")
    assert row == [(
        "doi:10.1101/857789", "10.1101/857789", 1,
        "Microscale Collagen and Fibroblast Interactions Enhance Primary Human Hepatocyte Functions in 3-Dimensional Models",
        row[0][4], "2019-11-29", row[0][6],
    )]
    assert json.loads(row[0][4])[:3] == ["Kukla, D.", "Crampton, A.", "Wood, D."]
    assert rows(db_path, "select source, listing_date, announce_type from sightings") == [("adhoc:biorxiv-rss", "2019-11-29", "new")]


def test_biorxiv_api_sample_by_url(run_cli, db_path, server):
    server.expect_request("/details").respond_with_data(BIORXIV_API.read_bytes(), content_type="application/json")
    result = run_cli("ingest", server.url_for("/details"))
    assert result.exit_code == 0, result.output
    assert rows(db_path, "select id, preprint_version, published_at, updated_at from papers") == [
        ("doi:10.64898/2026.07.31.741992", 1, "2026-08-01", "2026-08-01")
    ]
    assert rows(db_path, "select title from papers")[0][0].startswith("Sound-shape correspondences in macaques")
    assert rows(db_path, "select scheme, value from identifiers where scheme != 'title'") == [("doi", "10.64898/2026.07.31.741992")]


def test_api_error_feed_is_a_failed_run_naming_arxivs_message(run_cli, db_path, server):
    server.expect_request("/api/query").respond_with_data(API_ERROR.read_bytes(), content_type="application/atom+xml")
    for target in (str(API_ERROR), server.url_for("/api/query")):
        result = run_cli("ingest", target)
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        line = result.stderr.strip()
        assert len(line.splitlines()) == 1
        assert "arXiv API error: incorrect id format for 1234.12345" in line
    failed = rows(db_path, "select status, error from runs")
    assert [status for status, _ in failed] == ["failed", "failed"]
    assert all("incorrect id format for 1234.12345" in error for _, error in failed)
    assert rows(db_path, "select count(*) from papers") == [(0,)]
