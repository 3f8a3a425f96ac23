"""arXiv OAI-PMH ListRecords in the arXiv, arXivRaw and oai_dc formats; resumption tokens; OAI errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.model import ParseError
from pipeline.formats import arxiv_oai, detect

OAI = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv-oai"
ARXIV = OAI / "arxiv_oai2_ListRecords_arXiv_2015-01-01_to_2015-01-03_complete-no-token_2018-06-21_paperhive-nock.xml"
RAW = OAI / "arxiv_oai2_ListRecords_arXivRaw_from-2014-10-01_page1-token_2015-01-06_arXivOAIHarvester.xml"
DC = OAI / "arxiv_oai2_ListRecords_oai_dc_set-cs_from-2024-01-25_page1-token_2024-01-27_atomiklabs.xml"


@pytest.mark.parametrize("path", [ARXIV, RAW, DC], ids=lambda p: p.name[25:45])
def test_every_list_records_page_is_sniffed_and_parsed(path):
    raw = path.read_bytes()
    assert detect(raw) is arxiv_oai
    listing = arxiv_oai.parse(raw)
    assert listing.entries and all(r.arxiv_id and r.title and r.listing_date for r in listing.entries)


def test_arxiv_format_keeps_created_date_doi_and_old_style_ids():
    listing = arxiv_oai.parse(ARXIV.read_bytes())
    first, old = listing.entries
    assert first.arxiv_id == "1412.8544" and first.published_at == "2014-12-29"
    assert first.listing_date == "2015-01-03"  # the datestamp: when arXiv changed the record
    assert first.doi == "10.4204/eptcs.172.11" and first.authors == ("Sander Uijlen", "Bas Westerbaan")
    assert old.arxiv_id == "hep-th/9504118" and old.published_at == "1995-04-24"
    assert arxiv_oai.resumption(ARXIV.read_bytes()).token is None


def test_arxiv_raw_versions_give_first_and_latest_dates_and_every_doi():
    listing = arxiv_oai.parse(RAW.read_bytes())
    shetty = listing.entries[0]
    assert shetty.arxiv_id == "0704.0471" and shetty.authors == ("D.V. Shetty", "S.J. Yennello", "G.A. Souliotis")
    assert [v for _, _, v in shetty.relations] == ["10.1103/physrevc.76.024606", "10.1103/physrevc.76.039902"]
    richard = listing.entries[1]
    assert richard.arxiv_version == 4
    assert richard.published_at == "2007-04-05T12:45:03Z" and richard.updated_at == "2008-11-14T09:07:25Z"
    token = arxiv_oai.resumption(RAW.read_bytes())
    assert token == arxiv_oai.ResumptionToken("726959|1001", 0, 58011)


def test_oai_dc_creators_are_one_author_each():
    first = arxiv_oai.parse(DC.read_bytes()).entries[0]
    assert first.arxiv_id == "1303.2033" and first.authors == ("Liepins, Vilnis",)
    assert first.published_at == "2013-03-08"


def test_no_records_match_for_a_quiet_window_is_empty():
    """Hand-made from the real set=moo answer: the same error code with the message of an empty window."""
    raw = (OAI / "arxiv_oai2_error_noRecordsMatch_set-moo_2015-06-23_arXivOAIHarvester.xml").read_bytes()
    quiet = raw.replace(b"Set argument doesn't match any sets. The setSpec was 'moo'", b"No records match")
    listing = arxiv_oai.parse(quiet)
    assert listing.entries == [] and "noRecordsMatch" in listing.notes[0]


@pytest.mark.parametrize("name, message", [
    ("arxiv_oai2_error_badResumptionToken_2015-06-23_arXivOAIHarvester.xml", "badResumptionToken: The resumptionToken"),
    ("arxiv_oai2_error_badArgument_2015-06-23_arXivOAIHarvester.xml", "badArgument: Verb 'ListRecords'"),
    ("arxiv_oai2_error_noRecordsMatch_set-moo_2015-06-23_arXivOAIHarvester.xml", "The setSpec was 'moo'"),
    ("arxiv_oai2_Identify_2018-06-21_paperhive-nock.xml", "not a ListRecords answer"),
])
def test_oai_errors_carry_arxivs_code_and_message(name, message):
    with pytest.raises(ParseError, match=message):
        arxiv_oai.parse((OAI / name).read_bytes())


def test_deleted_record_is_counted_not_listed():
    """Hand-made: the real arXiv page with its first record's header marked deleted and its metadata removed."""
    text = ARXIV.read_text()
    start, end = text.index("<record>"), text.index("</record>") + len("</record>")
    deleted = ("<record><header status=\"deleted\"><identifier>oai:arXiv.org:1412.8544</identifier>"
               "<datestamp>2015-01-03</datestamp></header></record>")
    listing = arxiv_oai.parse((text[:start] + deleted + text[end:]).encode())
    assert [r.arxiv_id for r in listing.entries] == ["hep-th/9504118"]
    assert "1 deleted records" in listing.notes[0]
