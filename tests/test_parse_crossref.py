"""Crossref REST answers: work-list pages, single works with relations, error answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.model import ParseError
from pipeline.formats import crossref, detect

CROSSREF = Path(__file__).resolve().parent.parent / "fixtures" / "crossref"
PAGE1 = CROSSREF / "crossref_journals-works_1932-6203_rows30_cursor-star_page1_2022-11-09_rcrossref.json"
PAGE2 = CROSSREF / "crossref_journals-works_1932-6203_rows30_cursor-page2_2022-11-09_rcrossref.json"


@pytest.mark.parametrize("path", sorted(p for p in CROSSREF.glob("*.json") if "404" not in p.name),
                         ids=lambda p: p.name[:40])
def test_every_saved_answer_is_sniffed_and_parsed(path):
    raw = path.read_bytes()
    assert detect(raw) is crossref
    listing = crossref.parse(raw)
    assert listing.entries
    for record in listing.entries:
        assert record.doi and record.title and record.doi == record.doi.lower()


def test_work_list_page_fields_and_cursor():
    listing = crossref.parse(PAGE1.read_bytes())
    assert len(listing.entries) == 30
    first = listing.entries[0]
    assert first.doi == "10.1371/journal.pone.0264777"
    assert first.journal == "PLOS ONE" and first.issns == ("1932-6203",) and first.work_type == "journal-article"
    assert first.published_at == "2022-03-11" and first.listing_date == "2022-03-29"  # the index day
    # JATS sections: titles become labels, no markup left.
    assert first.abstract.startswith("Background: The impact of infertility")
    assert " Methods: Mixed-methods" in first.abstract and "<" not in first.abstract
    assert ("Sarmila Mazumder", "0000-0003-4200-6112") in first.orcids
    cursor, total = crossref.next_cursor(PAGE1.read_bytes())
    assert cursor and cursor.startswith("DnF1ZXJ5VGhlbkZldGNo") and total == 274684


def test_has_preprint_relation_and_group_author():
    [record] = crossref.parse((CROSSREF / "crossref_works_10.1038-ng.3834_has-preprint_2023-10-05_commonmeta.json").read_bytes()).entries
    assert record.relations == (("has-preprint", "doi", "10.1101/055962"),)
    assert "GTEx Consortium" in record.authors
    assert record.published_at == "2017-04-03" and record.journal_abbrev == "Nat Genet"


def test_posted_content_is_preprint_of_becomes_its_published_doi():
    path = CROSSREF / "crossref_works_10.1101-097196_biorxiv-posted-content-is-preprint-of_2023-10-05_commonmeta.json"
    [record] = crossref.parse(path.read_bytes()).entries
    assert record.work_type == "posted-content"
    assert record.published_doi == "10.1038/s41597-019-0031-8"


def test_error_answer_carries_crossrefs_message():
    raw = (CROSSREF / "crossref_works_cursor-invalid_404_2026-06-16_habanero.json").read_bytes()
    with pytest.raises(ParseError, match="Cursor specified but it is invalid"):
        crossref.parse(raw)


def test_impossible_date_part_is_dropped_with_a_note():
    """Hand-made: a work whose `published` month is 13 (the real page's first work, edited)."""
    payload = json.loads(PAGE1.read_bytes())
    item = payload["message"]["items"][0]
    for name in ("published", "published-online", "issued"):
        item.pop(name, None)
    item["published-print"] = {"date-parts": [[2022, 13, 45]]}
    payload["message"]["items"] = [item]
    listing = crossref.parse(json.dumps(payload).encode())
    assert listing.entries[0].published_at is None
    assert any("impossible published-print" in n for n in listing.notes)
