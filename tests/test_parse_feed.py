"""Generic RSS/Atom feeds, format sniffing across all feed modules, and
robustness: mutated real samples must give a Listing or a ParseError, nothing else."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.model import Listing, ParseError
from pipeline.formats import FORMATS, arxiv_api, arxiv_feed, biorxiv_api, biorxiv_rss, generic_feed
from pipeline.formats.feedtext import html_to_text, written_day

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Every registered format, so that a new one must not claim another's fixtures.
MODULES = {module.__name__.rsplit(".", 1)[1]: module for module in FORMATS}


HF_PAGE_HEAD = "hf/hf_papers_daily_2024-08-01_slbqc.html[:8192]"  # the page's head: no DailyPapers data, no cards


def fixture(relative: str) -> bytes:
    if relative.endswith("[:8192]"):
        return (FIXTURES / relative.removesuffix("[:8192]")).read_bytes()[:8192]
    return (FIXTURES / relative).read_bytes()


# --- generic feeds ---------------------------------------------------------------------


def test_pubmed_style_rss():
    listing = generic_feed.parse(fixture("feeds/handmade_pubmed-search_rss20.xml"))
    assert (listing.kind, listing.format, listing.listing_date) == ("feed", "feed", None)
    doi_in_text, doi_in_identifier, nothing = listing.entries
    assert doi_in_text.doi == "10.1007/s00330-025-00001-1"  # only in the HTML description
    assert doi_in_text.authors == ("Anna Smith", "Bo Chen", "Carla Diaz")  # three dc:creator
    assert doi_in_text.abstract.endswith("Accelerated scans with T2 weighting; p < 0.05.")
    assert doi_in_text.published_at == "2025-09-21T06:00:00Z"
    assert doi_in_text.listing_date == "2025-09-21"
    assert doi_in_text.url == "https://pubmed.ncbi.nlm.nih.gov/40000001/?utm_source=rss"
    assert doi_in_identifier.doi == "10.1007/s00234-025-00002-2"  # lower-cased
    assert doi_in_identifier.title == "Radiomics of glioma with IDH mutation"
    assert (nothing.doi, nothing.arxiv_id, nothing.authors) == (None, None, ("Émile Zola",))


def test_journal_toc_atom():
    listing = generic_feed.parse(fixture("feeds/handmade_journal-toc_atom.xml"))
    prism, link_and_prose, citing = listing.entries
    assert prism.doi == "10.1234/jmir.2025.0101"
    assert prism.abstract == "We pretrain on 10^6 scans where $n<m$."
    assert prism.published_at == "2025-09-22T06:00:00Z" and prism.listing_date == "2025-09-22"
    assert link_and_prose.doi == "10.1002/jmir.0102"  # from the publisher link, ?af=R dropped
    assert (link_and_prose.arxiv_id, link_and_prose.arxiv_version) == ("2507.01234", 2)  # from the text
    assert link_and_prose.arxiv_url == "https://arxiv.org/abs/2507.01234"
    assert link_and_prose.authors == ("Marie Curie", "Pierre Curie", "Irène Joliot-Curie")
    assert link_and_prose.published_at == "2025-09-21"  # a date-only element stays a day
    assert citing.doi is None  # cites two DOIs, is neither
    assert citing.abstract == "We discuss 10.1016/j.media.2024.103001 and 10.1109/tmi.2024.3400000."
    assert any("Editorial" in n and "2 DOIs" in n for n in listing.notes)


@pytest.mark.parametrize(
    "relative, count, first_id",
    [
        ("arxiv/rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml", 86, ("2508.13167", 1)),
        ("arxiv/physbiblio_export-rss_hep-ex_2018-05-23.rdf.xml", 3, ("1805.08875", None)),
        ("arxiv/arxiv-docs_api_user-manual_typical-response_all-electron_2007.xml", 1, ("hep-ex/0307015", None)),
        ("arxiv/export-api_query_q-bio.GN_2026-09-08_new-backend_ABRIDGED.xml", 1, ("2609.04658", 1)),
    ],
)
def test_generic_parser_finds_arxiv_ids_in_real_arxiv_feeds(relative, count, first_id):
    # a feed configured by URL alone may well be an arXiv one
    listing = generic_feed.parse(fixture(relative))
    assert len(listing.entries) == count
    assert (listing.entries[0].arxiv_id, listing.entries[0].arxiv_version) == first_id


def test_generic_parser_reads_the_real_biorxiv_feed():
    [paper] = generic_feed.parse(fixture("biorxiv/miniflux_biorxiv-rss_bioengineering_2019-11-29.rdf.xml")).entries
    assert paper.doi == "10.1101/857789"
    assert paper.authors == ("Kukla, D.", "Crampton, A.", "Wood, D.", "Khetani, S.")
    assert paper.published_at == "2019-11-29"


@pytest.mark.parametrize(
    "relative, message",
    [
        (HF_PAGE_HEAD, "HTML page .*Daily Papers - Hugging Face"),
        ("hf/hf_api_daily_papers_2024-10-25_deep-diver_first4.json", "not an RSS/Atom feed"),
        ("feeds/biopython_esearch1.xml", "not an RSS/Atom feed"),
        ("biorxiv/published-doc_api-biorxiv_details_2026-08-01_ABRIDGED.json", "not an RSS/Atom feed"),
    ],
)
def test_real_non_feeds_are_refused(relative, message):
    with pytest.raises(ParseError, match=message) as error:
        generic_feed.parse(fixture(relative))
    assert "\n" not in str(error.value)


# --- shared text and date helpers --------------------------------------------------------


@pytest.mark.parametrize(
    "html, text",
    [
        ("<p>a</p><p>b</p>", "a b"),
        ("H<sub>2</sub>O", "H2O"),
        ("$x&lt;y$ and $a<b$ and <span class='x'>kept</span>", "$x<y$ and $a<b$ and kept"),
        ("<script>alert(1)</script>Title &amp; more", "Title & more"),
    ],
)
def test_html_to_text_removes_real_tags_only(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    "raw, day",
    [
        ("Mon, 22 Sep 2025 00:00:00 -0400", "2025-09-22"),  # UTC would say the same here...
        ("Mon, 22 Sep 2025 23:30:00 -0400", "2025-09-22"),  # ...but not here
        ("2025-08-20T00:00:00-04:00", "2025-08-20"),
        ("2019-11-29", "2019-11-29"),
        ("not a date", None),
    ],
)
def test_days_are_read_in_the_offset_they_were_written_in(raw, day):
    assert written_day(raw) == day


# --- sniffing ------------------------------------------------------------------------------

SNIFF_EXPECTATIONS = {
    "arxiv/arxiv-docs_api_user-manual_error-response_2007.xml": "arxiv_api",
    "arxiv/arxiv-docs_api_user-manual_typical-response_all-electron_2007.xml": "arxiv_api",
    "arxiv/export-api_query_q-bio.GN_2026-09-08_new-backend_ABRIDGED.xml": "arxiv_api",
    "arxiv/physbiblio_api-query_au-gariazzo_2021-07-10_summaries-replaced.xml": "arxiv_api",
    "arxiv/physbiblio_export-rss_hep-ex_2018-05-23.rdf.xml": "arxiv_feed",
    "arxiv/physbiblio_export-rss_hep-ex_2021-07-08_descriptions-replaced.rdf.xml": "arxiv_feed",
    "arxiv/rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml": "arxiv_feed",
    "arxiv/rss_cs.CV_2025-09-22_channel+first-item_TRUNCATED.xml.fragment": "arxiv_feed",
    "arxiv/rss_cs.CV_2025-09-22_first-item_closing-tags-appended.xml": "arxiv_feed",
    "arxiv/handmade_rss_edge-cases.xml": "arxiv_feed",
    "arxiv/handmade_rss_empty-saturday.xml": "arxiv_feed",
    "biorxiv/miniflux_biorxiv-rss_bioengineering_2019-11-29.rdf.xml": "biorxiv_rss",
    "biorxiv/published-doc_api-biorxiv_details_2026-08-01_ABRIDGED.json": "biorxiv_api",
    "feeds/handmade_pubmed-search_rss20.xml": "generic_feed",
    "feeds/handmade_journal-toc_atom.xml": "generic_feed",
    "feeds/biopython_esearch1.xml": None,
    "hf/hf_api_daily_papers_2024-10-25_deep-diver_first4.json": "hf_api",
    "hf/hf_papers_daily_2024-08-01_DailyPapers_data-props.unescaped.json": "hf_api",
    "hf/hf_papers_daily_2024-08-01_slbqc.html": "hf_html",
    "hf/hf_papers_search_medical-imaging_rendered-text_2026-02-23.txt": "hf_text",
    "feeds/handmade_rdf_repeated-identifiers_two-issues.xml": "generic_feed",
    "feeds/handmade_rss_citation-prefix-titles.xml": "generic_feed",
    "feeds/handmade_rss_impossible-dates.xml": "generic_feed",
    "arxiv-oai/arxiv_oai2_503-retry-after-10_2018-06-21_paperhive-nock.html": None,
    "arxiv-oai/arxiv_oai2_Identify_2018-06-21_paperhive-nock.xml": "arxiv_oai",
    "arxiv-oai/arxiv_oai2_ListRecords_arXivRaw_from-2014-10-01_page1-token_2015-01-06_arXivOAIHarvester.xml": "arxiv_oai",
    "arxiv-oai/arxiv_oai2_ListRecords_arXiv_2015-01-01_to_2015-01-03_complete-no-token_2018-06-21_paperhive-nock.xml": "arxiv_oai",
    "arxiv-oai/arxiv_oai2_ListRecords_oai_dc_set-cs_from-2024-01-25_page1-token_2024-01-27_atomiklabs.xml": "arxiv_oai",
    "arxiv-oai/arxiv_oai2_error_badArgument_2015-06-23_arXivOAIHarvester.xml": "arxiv_oai",
    "arxiv-oai/arxiv_oai2_error_badResumptionToken_2015-06-23_arXivOAIHarvester.xml": "arxiv_oai",
    "arxiv-oai/arxiv_oai2_error_idDoesNotExist_0813.2274_2015-06-23_arXivOAIHarvester.xml": "arxiv_oai",
    "arxiv-oai/arxiv_oai2_error_noRecordsMatch_set-moo_2015-06-23_arXivOAIHarvester.xml": "arxiv_oai",
    "crossref/crossref_journals-works_1932-6203_rows30_cursor-page2_2022-11-09_rcrossref.json": "crossref",
    "crossref/crossref_journals-works_1932-6203_rows30_cursor-star_page1_2022-11-09_rcrossref.json": "crossref",
    "crossref/crossref_members-works_98_rows5_cursor-page2_2026-06-16_habanero.json": "crossref",
    "crossref/crossref_members-works_98_rows5_cursor-star_2026-06-16_habanero.json": "crossref",
    "crossref/crossref_works_10.1038-ng.3834_has-preprint_2023-10-05_commonmeta.json": "crossref",
    "crossref/crossref_works_10.1101-097196_biorxiv-posted-content-is-preprint-of_2023-10-05_commonmeta.json": "crossref",
    "crossref/crossref_works_10.1101-2025.02.05.636615_biorxiv_2025-02_prereview.json": "crossref",
    "crossref/crossref_works_10.1136-jclinpath-2020-206745_pathology_2026-06-16_habanero.json": "crossref",
    "crossref/crossref_works_cursor-invalid_404_2026-06-16_habanero.json": "crossref",
    "pubmed/biopython_efetch-pubmed_title_with_html_tags_TRUNCATED.xml.fragment": "pubmed",
    "pubmed/pubmed_efetch_11748933-11700088_proton-MRI_2026-01_biopython.xml": "pubmed",
    "pubmed/pubmed_efetch_12091962-9997_rettype-abstract_2026-01_biopython.xml": "pubmed",
    "pubmed/pubmed_efetch_23121403_aspirin-vte-structured-collectivename_2024-04-12_eutils-cassette.xml": "pubmed",
    "pubmed/pubmed_efetch_27797938_structured-abstract_2018_biopython.xml": "pubmed",
    "pubmed/pubmed_efetch_29963580_pulmonary-imaging-collectivename_2019_biopython.xml": "pubmed",
    "pubmed/pubmed_efetch_36096127_xcist-ct-simulation_2025-08_metapub.xml": "pubmed",
    "pubmed/pubmed_efetch_38909159_cardiac-imaging-structured_2025-08_metapub.xml": "pubmed",
    "pubmed/pubmed_esearch_abcXYZ-no-items-found_2026-01_biopython.xml": None,
    "pubmed/pubmed_esearch_cancer-reldate60-edat-usehistory_2025-11-27_biopython.xml": None,
    "pubmed/pubmed_esearch_hart-rk-author-usehistory_2025-12-06_eutils-cassette.xml": None,
    "pubmed/pubmed_esearch_ml-nlp-hasabstract-pdat-2020range_2020-08_findpapers.xml": None,
    "pubmed/pubmed_esearch_pnas-vol97-retstart6-retmax6_2026-01_biopython.xml": None,
    "pubmed/pubmed_esummary_error-no-query_key-nor-id_2026-01_biopython.xml": None,
}


def test_every_fixture_has_a_sniff_expectation():
    folders = ("arxiv", "arxiv-oai", "biorxiv", "crossref", "feeds", "hf", "pubmed")  # the saved source responses
    on_disk = {
        str(p.relative_to(FIXTURES))
        for folder in folders
        for p in (FIXTURES / folder).glob("*")
        if p.is_file() and p.suffix != ".md"
    }
    assert on_disk == set(SNIFF_EXPECTATIONS)


@pytest.mark.parametrize("relative, expected", sorted({**SNIFF_EXPECTATIONS, HF_PAGE_HEAD: None}.items()))
def test_exactly_the_right_sniffer_claims_each_fixture(relative, expected):
    raw = fixture(relative)
    claimed = [name for name, module in MODULES.items() if module.sniff(raw)]
    assert claimed == ([expected] if expected else [])


@pytest.mark.parametrize("relative, expected", sorted((k, v) for k, v in SNIFF_EXPECTATIONS.items() if v))
def test_sniffed_module_parses_its_fixture_or_refuses_it_cleanly(relative, expected):
    try:
        assert isinstance(MODULES[expected].parse(fixture(relative)), Listing)
    except ParseError as error:  # the cut-off fragments, and the error answers of each API
        assert relative.endswith(("TRUNCATED.xml.fragment", "error-response_2007.xml")) or any(
            mark in relative for mark in ("_error_", "Identify", "404")), error


def test_sniff_only_looks_at_the_head():
    raw = fixture("arxiv/rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml")
    assert arxiv_feed.sniff(raw[:4096]) and arxiv_feed.sniff(raw[:4096] + b"\x00" * 10_000_000)


def test_dates_beyond_the_calendar_do_not_crash():
    # exercises: a year-9999 evening stamp would need day 10000-01-01
    raw = fixture("arxiv/physbiblio_export-rss_hep-ex_2018-05-23.rdf.xml").replace(
        b"2018-05-23T20:30:00-05:00", b"9999-12-31T23:30:00-05:00")
    listing = arxiv_feed.parse(raw)
    assert listing.listing_date is None and len(listing.entries) == 3


def test_feedparser_crashing_on_broken_markup_becomes_a_parse_error():
    # exercises: feedparser's lenient fallback raises KeyError on this (found by the fuzz test below)
    for module in (arxiv_feed, arxiv_api, biorxiv_rss, generic_feed):
        with pytest.raises(ParseError, match="unreadable feed"):
            module.parse(b"<entry<category<</entry</category>")


# --- mutated real samples ------------------------------------------------------------------

# Small real samples, plus a verbatim 12 KB prefix of the big cs.AI feed to keep runs fast.
SEEDS = [fixture(name) for name in SNIFF_EXPECTATIONS if not name.startswith("arxiv/rss-atom_cs.AI")]
SEEDS.append(fixture("arxiv/rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml")[:12288])


@st.composite
def mutated_samples(draw):
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        kind = draw(st.sampled_from(["cut", "delete", "insert", "overwrite", "duplicate"]))
        if kind == "cut":
            del raw[at:]
        elif kind == "delete":
            del raw[at:at + draw(st.integers(1, 200))]
        elif kind == "insert":
            raw[at:at] = draw(st.binary(max_size=40) | st.sampled_from(
                [b"<", b"&", b"]]>", b"</entry>", b"</item>", b"<entry>", b"\xff\xfe", b"&#0;", b'"', b"{", b"]", b"<category>", b"</category>"]))
        elif kind == "overwrite":
            raw[at:at + 1] = draw(st.binary(min_size=1, max_size=1))
        else:
            raw[at:at] = raw[at:at + draw(st.integers(1, 400))]
    return bytes(raw)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_samples(), st.sampled_from(sorted(MODULES)))
def test_mutated_samples_give_a_listing_or_a_parse_error(raw, name):
    module = MODULES[name]
    module.sniff(raw)
    try:
        listing = module.parse(raw)
    except ParseError as error:
        assert "\n" not in str(error)
        return
    assert isinstance(listing, Listing)
    for record in listing.entries:
        assert isinstance(record.title, str)
        assert record.arxiv_id or record.doi or record.title
    if hasattr(module, "page_info"):
        try:
            module.page_info(raw)
        except ParseError:
            pass
