"""The reference search listing, saved as rendered text: 64 medical-imaging papers without ids."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import FIXTURES
from pipeline.model import ParseError
from pipeline.formats import detect, hf_text

REFERENCE = FIXTURES / "hf" / "hf_papers_search_medical-imaging_rendered-text_2026-02-23.txt"


def test_the_64_cards_with_titles_abstracts_and_dates():
    listing = hf_text.parse(REFERENCE.read_bytes())
    assert (listing.kind, listing.format, len(listing.entries)) == ("search", "hf-text", 64)
    first, second = listing.entries[:2]
    # The first card has no "N authors / date" line at all.
    assert first.title == "PixCell: A generative foundation model for digital histopathology images"
    assert first.abstract.startswith("The digitization of histology slides") and first.published_at is None
    assert second.published_at == "2025-06-06" and second.rank == 2
    assert all(entry.abstract for entry in listing.entries)
    assert [e.rank for e in listing.entries] == list(range(1, 65))


def test_trailing_upvotes_and_year_less_dates():
    entries = {e.title.split(":")[0]: e for e in hf_text.parse(REFERENCE.read_bytes()).entries}
    assert (entries["CheXmask-U"].published_at, entries["CheXmask-U"].upvotes) == ("2025-12-11", 2)
    assert (entries["M3Ret"].published_at, entries["M3Ret"].upvotes) == ("2025-09-01", 1)
    # "Feb 14" carries no year, and the page does not say when it was rendered: left unknown.
    assert entries["KorMedMCQA-V"].published_at is None
    # No trailing number means unknown, not zero.
    assert entries["PRAD"].upvotes is None


def test_detected_from_content_and_refused_when_cut_or_foreign():
    raw = REFERENCE.read_bytes()
    assert detect(raw) is hf_text
    assert not hf_text.sniff(b"<html>Daily Papers byAK and the research community</html>")
    header_only = raw[: raw.index(b"PixCell")]
    with pytest.raises(ParseError, match="no cards"):
        hf_text.parse(header_only)
    with pytest.raises(ParseError, match="not UTF-8"):
        hf_text.parse(raw[:200] + b"\xff\xfe" + raw[200:])


def test_ingested_twice_the_reference_page_is_64_tagged_papers_once(run_cli, db_path):
    for again in ([], ["--force"]):
        result = run_cli("ingest", *again, str(REFERENCE))
        assert result.exit_code == 0, result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*), count(distinct id) from papers").fetchone() == (64, 64)
        assert conn.execute("select count(*) from sightings where source = 'adhoc:hf-search'").fetchone() == (64,)
        assert conn.execute("select min(id) like 'title:%' from papers").fetchone() == (1,)
        gate = conn.execute("select count(*) from paper_tags where tag = 'medical-imaging'").fetchone()[0]
    assert gate >= 61  # every card is medical imaging; the rules must find (nearly) all of them
