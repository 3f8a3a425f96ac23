"""PubMed efetch and esearch answers: every saved real record, and the fields the issue lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.model import MeshHeading, ParseError
from pipeline.formats import detect, pubmed
from pipeline.formats.pubmed_search import parse_search

PUBMED = Path(__file__).resolve().parent.parent / "fixtures" / "pubmed"
EFETCH = sorted(p for p in PUBMED.glob("pubmed_efetch_*.xml"))


def one(name: str):
    listing = pubmed.parse((PUBMED / name).read_bytes())
    assert len(listing.entries) == 1
    return listing.entries[0]


@pytest.mark.parametrize("path", EFETCH, ids=lambda p: p.name[:40])
def test_every_saved_efetch_answer_is_sniffed_and_parsed(path):
    raw = path.read_bytes()
    assert detect(raw) is pubmed
    listing = pubmed.parse(raw)
    assert listing.entries and listing.format == "pubmed"
    for record in listing.entries:
        assert record.pmid.isascii() and record.pmid.isdigit()
        assert record.title and record.journal and record.listing_date
        assert record.url == f"https://pubmed.ncbi.nlm.nih.gov/{record.pmid}/"


def test_cardiac_mri_record_has_ids_structured_abstract_mesh_and_earliest_date():
    record = one("pubmed_efetch_38909159_cardiac-imaging-structured_2025-08_metapub.xml")
    assert (record.pmid, record.pmcid, record.doi) == ("38909159", "PMC11798830", "10.1038/s41390-024-03336-8")
    assert record.abstract.startswith("BACKGROUND: The present study aims")
    assert " METHODS: The study group consisted" in record.abstract and " IMPACT: The myocardium" in record.abstract
    assert "Author(s)" not in record.abstract  # the copyright line is not the abstract
    assert (record.journal, record.journal_abbrev) == ("Pediatric research", "Pediatr Res")
    assert record.issns == ("1530-0447", "0031-3998")
    # PubDate is 2025 Jan (the issue); the electronic ArticleDate 2024-06-22 came first.
    assert record.published_at == "2024-06-22"
    assert record.listing_date == "2024-06-22"  # the Entrez day
    assert MeshHeading("Magnetic Resonance Imaging", "D008279", False) in record.mesh
    # Heart is a major topic; Dermatomyositis is major although only as a descriptor flag.
    assert MeshHeading("Heart", "D006321", True) in record.mesh
    assert record.publication_types == ("Journal Article", "Systematic Review")
    assert record.authors[0] == "Gökmen Akgün" and len(record.authors) == 13


def test_collective_author_and_keywords():
    record = one("pubmed_efetch_23121403_aspirin-vte-structured-collectivename_2024-04-12_eutils-cassette.xml")
    assert record.authors[-1] == "ASPIRE Investigators" and len(record.authors) == 13
    imaging = one("pubmed_efetch_36096127_xcist-ct-simulation_2025-08_metapub.xml")
    assert imaging.keywords[:3] == ("cancer imaging", "simulation", "software engineering")
    assert imaging.pmcid == "PMC10151073"


def test_partial_pubdate_stays_partial_and_the_reference_list_is_not_the_record():
    record = one("pubmed_efetch_29963580_pulmonary-imaging-collectivename_2019_biopython.xml")
    assert record.pmid == "29963580" and record.doi == "10.1117/1.jmi.5.2.026002"
    assert record.published_at == "2018-04"  # PubDate Year+Month(name); ArticleDate is later
    assert "MRI" in record.abstract and "<" not in record.abstract  # MathML flattened


def test_season_pubdate_and_record_without_doi():
    listing = pubmed.parse((PUBMED / "pubmed_efetch_12091962-9997_rettype-abstract_2026-01_biopython.xml").read_bytes())
    by_pmid = {r.pmid: r for r in listing.entries}
    assert by_pmid["12091962"].doi is None
    assert by_pmid["12091962"].published_at == "1990-03"  # <Season>Spring</Season>
    assert by_pmid["9997"].doi == "10.1016/0005-2795(76)90109-4"


def _article(pmid: str, pubdate: str, extra: str = "") -> bytes:
    """A hand-made PubmedArticle in the DTD's structure, to exercise one date or id case."""
    return (
        "<?xml version=\"1.0\"?><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>"
        f"{pmid}</PMID><Article><Journal><JournalIssue><PubDate>{pubdate}</PubDate></JournalIssue>"
        "<Title>Radiology</Title></Journal><ArticleTitle>A title</ArticleTitle>"
        f"{extra}</Article></MedlineCitation><PubmedData/></PubmedArticle></PubmedArticleSet>"
    ).encode()


def test_medline_date_range_is_its_first_month():
    [record] = pubmed.parse(_article("1", "<MedlineDate>2017 Jun-Jul</MedlineDate>")).entries
    assert record.published_at == "2017-06"


def test_impossible_date_is_none_with_a_note():
    listing = pubmed.parse(_article("2", "<Year>2026</Year><Month>13</Month><Day>45</Day>"))
    assert listing.entries[0].published_at is None
    assert any("impossible date" in note for note in listing.notes)


def test_fullwidth_digits_are_not_a_pmid():
    with pytest.raises(ParseError, match="none of 1 records"):
        pubmed.parse(_article("２７７９７９３８", "<Year>2020</Year>"))


def test_truncated_efetch_answer_is_refused():
    raw = (PUBMED / "biopython_efetch-pubmed_title_with_html_tags_TRUNCATED.xml.fragment").read_bytes()
    with pytest.raises(ParseError, match="not well-formed"):
        pubmed.parse(raw)


def test_esearch_history_server_answer():
    result = parse_search((PUBMED / "pubmed_esearch_cancer-reldate60-edat-usehistory_2025-11-27_biopython.xml").read_bytes())
    assert result.count == 42249 and len(result.ids) == 100
    assert (result.web_env, result.query_key) == ("MCID_6927d6e7fee3e90f880ec190", "1")


def test_esearch_count_zero_is_an_empty_answer_not_an_error():
    result = parse_search((PUBMED / "pubmed_esearch_abcXYZ-no-items-found_2026-01_biopython.xml").read_bytes())
    assert result.count == 0 and result.ids == ()
    assert "PhraseNotFound: abcXYZ" in result.warnings


def test_eutilities_error_envelope_carries_ncbis_message():
    raw = (PUBMED / "pubmed_esummary_error-no-query_key-nor-id_2026-01_biopython.xml").read_bytes()
    with pytest.raises(ParseError, match="Neither query_key nor id specified"):
        parse_search(raw)
