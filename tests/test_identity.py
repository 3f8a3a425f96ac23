"""One paper, one row, whatever the sources and the order they arrive in.

Real samples where they exist; the hand-made arXiv items are built on the
real cs.CV RSS sample (see sources_helpers) for papers of the real HF page.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import HF_API, HF_HTML
from pipeline.cli import cli
from sources_helpers import API_GARIAZZO, BIORXIV_API, JOURNAL_ATOM, PUBMED_RSS, arxiv_rss, rows

LLAMA = {"arxiv_id": "2407.21783", "title": "The Llama 3 Herd of Models",
         "abstract": "Modern artificial intelligence (AI) systems are powered by foundation models.",
         "authors": "Abhimanyu Dubey (Meta), Abhinav Jauhri, Abhinav Pandey", "categories": ("cs.AI", "cs.CL", "cs.CV")}


@pytest.fixture
def files(tmp_path):
    """Hand-made listings written next to the test database."""

    def write(name: str, data: bytes):
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def ingest(db, *paths):
    for path in paths:
        result = CliRunner().invoke(cli, ["--db", str(db), "ingest", str(path)])
        assert result.exit_code == 0, result.output


def snapshot(db):
    """Everything identity and precedence decide: papers, identifiers, sightings (minus which run wrote them)."""
    return (
        rows(db, "select * from papers order by id"),
        rows(db, "select * from identifiers order by scheme, value"),
        rows(db, "select paper_id, source, listing_date, rank, upvotes, comments, submitter, announce_type"
                 " from sightings order by paper_id, source, listing_date"),
    )


def llama_feeds(files):
    new = files("arxiv_new.xml", arxiv_rss([{**LLAMA, "version": 1}], announced="Thu, 01 Aug 2024 00:00:00 -0400"))
    replaced = files("arxiv_replace.xml", arxiv_rss(
        [{**LLAMA, "version": 2, "announce_type": "replace", "abstract": LLAMA["abstract"] + " Revised."}],
        announced="Mon, 05 Aug 2024 00:00:00 -0400"))
    return new, replaced


def test_hf_listing_and_arxiv_feed_make_one_paper_with_two_sightings(db_path, files):
    new, _ = llama_feeds(files)
    ingest(db_path, HF_HTML, new)
    assert rows(db_path, "select count(*) from papers where arxiv_id = '2407.21783'") == [(1,)]
    assert rows(db_path, "select count(*) from papers") == [(13,)]
    sightings = rows(db_path, "select source, listing_date, announce_type, upvotes from sightings"
                              " where paper_id = 'arxiv:2407.21783' order by source")
    assert sightings == [("adhoc:arxiv-rss", "2024-08-01", "new", None), ("adhoc:hf-daily", "2024-08-01", None, 94)]
    authors, published, version, provenance = rows(
        db_path, "select authors, published_at, arxiv_version, provenance from papers where id = 'arxiv:2407.21783'")[0]
    # arXiv's author list wins over HF's 533 names; v1's submission time (HF) beats the announcement midnight.
    assert json.loads(authors) == ["Abhimanyu Dubey", "Abhinav Jauhri", "Abhinav Pandey"]
    assert json.loads(provenance)["authors"] == ["arxiv", 1]
    assert published == "2024-07-31T17:54:27Z" and version == 1


def test_replace_updates_version_and_dates_without_a_new_row(db_path, files):
    new, replaced = llama_feeds(files)
    ingest(db_path, HF_HTML, new)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "ingest", str(replaced)])
    assert "0 papers new, 1 updated" in result.output
    row = rows(db_path, "select arxiv_version, updated_at, published_at, abstract from papers where arxiv_id = '2407.21783'")
    assert row == [(2, "2024-08-05T04:00:00Z", "2024-07-31T17:54:27Z", LLAMA["abstract"] + " Revised.")]
    assert rows(db_path, "select listing_date, announce_type from sightings where source = 'adhoc:arxiv-rss' order by 1") == [
        ("2024-08-01", "new"), ("2024-08-05", "replace")]
    # An old version seen again later (a mirror, a re-run) changes nothing back.
    before = snapshot(db_path)
    ingest(db_path, new)
    assert snapshot(db_path)[0] == before[0]


def test_order_of_ingestion_does_not_change_any_row(tmp_path, files):
    new, replaced = llama_feeds(files)
    listings = {"A": HF_HTML, "B": new, "C": replaced, "D": HF_API}
    results = {}
    for order in ("ABCD", "ABCDA", "DCBA", "BDAC", "CABDBC"):
        db = tmp_path / f"{order}.db"
        ingest(db, *(listings[name] for name in order))
        results[order] = snapshot(db)
    first = results["ABCD"]
    for order, result in results.items():
        assert result == first, f"order {order} differs"
    assert len(first[0]) == 17


def test_doi_only_paper_merges_into_its_arxiv_id_in_either_order(tmp_path, files):
    # The real-shaped journal TOC lists a paper by DOI only; arXiv later announces it with that DOI.
    arxiv = files("arxiv_doi.xml", arxiv_rss([{
        "arxiv_id": "2509.00123", "version": 1, "title": "Self-supervised pretraining for CT triage",
        "authors": "Grace Hopper, Alan Turing", "abstract": "We pretrain on a million scans.",
        "doi": "10.1234/JMIR.2025.0101"}]))
    snapshots = []
    for name, order in (("journal_first", (JOURNAL_ATOM, arxiv)), ("arxiv_first", (arxiv, JOURNAL_ATOM))):
        db = tmp_path / f"{name}.db"
        ingest(db, *order)
        assert rows(db, "select id from papers where title like 'Self-supervised%'") == [("arxiv:2509.00123",)]
        assert rows(db, "select scheme, value from identifiers where paper_id = 'arxiv:2509.00123' and scheme != 'title'"
                        " order by 1") == [("arxiv", "2509.00123"), ("doi", "10.1234/jmir.2025.0101")]
        assert rows(db, "select source from sightings where paper_id = 'arxiv:2509.00123' order by 1") == [
            ("adhoc:arxiv-rss",), ("adhoc:feed",)]
        assert rows(db, "select count(*) from papers where id like 'doi:10.1234/jmir.2025.0101'") == [(0,)]
        snapshots.append(snapshot(db))
    assert snapshots[0] == snapshots[1]


def test_arxiv_doi_prefix_is_the_arxiv_id(db_path, files):
    feed = PUBMED_RSS.read_text().replace("doi:10.1007/S00234-025-00002-2", "doi:10.48550/arXiv.2407.21783")
    ingest(db_path, HF_HTML, files("pubmed_arxiv_doi.xml", feed.encode()))
    assert rows(db_path, "select count(*) from papers where arxiv_id = '2407.21783'") == [(1,)]
    assert rows(db_path, "select source from sightings where paper_id = 'arxiv:2407.21783' order by 1") == [
        ("adhoc:feed",), ("adhoc:hf-daily",)]


def test_biorxiv_preprint_and_its_journal_version_are_one_paper(tmp_path, files):
    payload = json.loads(BIORXIV_API.read_text())
    payload["collection"][0]["published"] = "10.1007/s00234-025-00002-2"  # the PubMed sample's journal DOI
    payload["collection"][0]["version"] = "2"
    linked = files("biorxiv_published.json", json.dumps(payload).encode())
    snapshots = []
    for name, order in (("journal_first", (PUBMED_RSS, linked)), ("preprint_first", (linked, PUBMED_RSS))):
        db = tmp_path / f"{name}.db"
        ingest(db, *order)
        assert rows(db, "select count(*) from papers") == [(3,)]
        key = "doi:10.64898/2026.07.31.741992"
        assert rows(db, "select doi, preprint_version from papers where id = ?", (key,)) == [
            ("10.64898/2026.07.31.741992", 2)]
        assert rows(db, "select value from identifiers where paper_id = ? and scheme = 'doi' order by 1", (key,)) == [
            ("10.1007/s00234-025-00002-2",), ("10.64898/2026.07.31.741992",)]
        assert rows(db, "select source from sightings where paper_id = ? order by 1", (key,)) == [
            ("adhoc:biorxiv-api",), ("adhoc:feed",)]
        snapshots.append(snapshot(db))
    assert snapshots[0] == snapshots[1]


def test_two_arxiv_papers_sharing_a_doi_stay_apart(run_cli, db_path):
    # Real API answer: 1510.05980 and 1602.05902 both carry the proceedings DOI 10.1088/1742-6596/718/3/032006.
    result = run_cli("ingest", str(API_GARIAZZO))
    assert result.exit_code == 0 and "2 papers new" in result.output
    assert rows(db_path, "select id, doi from papers order by id") == [
        ("arxiv:1510.05980", "10.1088/1742-6596/718/3/032006"), ("arxiv:1602.05902", "10.1088/1742-6596/718/3/032006")]
    assert rows(db_path, "select paper_id from identifiers where value = '10.1088/1742-6596/718/3/032006'") == [
        ("arxiv:1510.05980",)]
    assert "already belongs to arxiv:1510.05980" in rows(db_path, "select error from runs")[0][0]


def test_records_without_identifiers_get_a_title_key_and_join_a_later_doi(tmp_path, files):
    with_doi = JOURNAL_ATOM.read_text().replace(
        "<id>tag:journal.example.org,2025:article-0103</id>",
        "<id>tag:journal.example.org,2025:article-0103</id><prism:doi>10.1234/jmir.2025.0103</prism:doi>")
    later = files("toc_with_doi.xml", with_doi.encode())
    db = tmp_path / "title.db"
    ingest(db, PUBMED_RSS, JOURNAL_ATOM)
    titled = rows(db, "select id from papers where id like 'title:%' order by id")
    assert titled == [("title:a letter without identifiers|zola",), ("title:editorial a year in imaging|itor",)]
    ingest(db, later, PUBMED_RSS)
    assert rows(db, "select id from papers where title like 'Editorial%'") == [("doi:10.1234/jmir.2025.0103",)]
    assert rows(db, "select count(*) from papers") == [(6,)]
    assert rows(db, "select count(*) from sightings where paper_id = 'doi:10.1234/jmir.2025.0103'") == [(1,)]
    reverse = tmp_path / "reverse.db"
    ingest(reverse, later, PUBMED_RSS, JOURNAL_ATOM, PUBMED_RSS)
    assert snapshot(reverse)[:2] == snapshot(db)[:2]
