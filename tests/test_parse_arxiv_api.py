"""arXiv API result pages (export.arxiv.org/api/query), as used for backfill."""

from pathlib import Path

import pytest

from pipeline.model import ParseError
from pipeline.formats import arxiv_api
from pipeline.formats.paging import PageInfo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv"
ERROR_2007 = "arxiv-docs_api_user-manual_error-response_2007.xml"
ELECTRON_2007 = "arxiv-docs_api_user-manual_typical-response_all-electron_2007.xml"
GARIAZZO_2021 = "physbiblio_api-query_au-gariazzo_2021-07-10_summaries-replaced.xml"
BACKEND_2026 = "export-api_query_q-bio.GN_2026-09-08_new-backend_ABRIDGED.xml"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_error_feed_is_a_parse_error_carrying_arxivs_message():
    with pytest.raises(ParseError) as error:
        arxiv_api.parse(raw(ERROR_2007))
    assert str(error.value) == "arXiv API error: incorrect id format for 1234.12345"


def test_2007_example_old_style_id_and_wrapped_text():
    listing = arxiv_api.parse(raw(ELECTRON_2007))
    assert (listing.kind, listing.format, listing.listing_date) == ("api", "arxiv-api", None)
    [paper] = listing.entries
    assert paper.arxiv_id == "hep-ex/0307015"
    assert paper.arxiv_version == 1  # the id has none; the alternate link says v1
    assert paper.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    assert paper.abstract.startswith("Multi-electron production is studied at high electron transverse momentum in positron-")
    assert paper.abstract.endswith("of 0.30 \\pm 0.04 and 0.23 \\pm 0.04, respectively.")
    assert paper.authors == ("H1 Collaboration",)
    assert paper.published_at == "2003-07-07T17:46:39Z"  # 13:46:39-04:00
    assert paper.updated_at == "2003-07-07T17:46:39Z"
    assert paper.categories == ("hep-ex",)
    assert paper.arxiv_url == "https://arxiv.org/abs/hep-ex/0307015"
    assert paper.pdf_url == "https://arxiv.org/pdf/hep-ex/0307015"


def test_2021_page_with_journal_dois_and_secondary_categories():
    listing = arxiv_api.parse(raw(GARIAZZO_2021))
    first, second = listing.entries
    assert (first.arxiv_id, first.arxiv_version) == ("1510.05980", 1)
    assert first.doi == "10.1088/1742-6596/718/3/032006"
    assert first.categories == ("astro-ph.CO", "hep-ph")  # primary first
    assert first.published_at == "2015-10-20T17:42:31Z"
    assert (second.arxiv_id, second.published_at) == ("1602.05902", "2016-02-18T18:24:53Z")
    assert second.abstract == "test2" and second.authors == ("Stefano Gariazzo",)


def test_2026_backend_primary_category_is_not_the_first_listed():
    [paper] = arxiv_api.parse(raw(BACKEND_2026)).entries
    assert (paper.arxiv_id, paper.arxiv_version) == ("2609.04658", 1)
    assert paper.categories == ("cs.IR", "q-bio.GN")
    assert paper.authors == ("Chenhang Christopher Zhang", "Yanqing Lou", "Xianjun Dong")
    assert paper.abstract.startswith("Multi-omic studies increasingly require data to be examined from complementary biological")


@pytest.mark.parametrize(
    "name, expected",
    [
        (ELECTRON_2007, PageInfo(total=1000, start=0, per_page=1)),
        (GARIAZZO_2021, PageInfo(total=53, start=0, per_page=10)),
        (BACKEND_2026, PageInfo(total=927, start=0, per_page=1)),  # itemsPerPage comes first there
        (ERROR_2007, PageInfo(total=1, start=0, per_page=1)),
    ],
)
def test_page_info_reads_the_opensearch_totals(name, expected):
    assert arxiv_api.page_info(raw(name)) == expected


def test_page_info_drives_paging():
    page = arxiv_api.page_info(raw(GARIAZZO_2021))
    assert (page.next_start, page.is_last) == (10, False)
    assert PageInfo(total=53, start=50, per_page=10).is_last
    assert PageInfo(total=0, start=0, per_page=10).is_last


def _page(total: int, start: int, entries: str = "") -> bytes:
    """A minimal API page in the 2021 layout (hand-made)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        '<link href="http://arxiv.org/api/query?search_query%3Dcat%3Aeess.IV" rel="self"/>'
        "<title>ArXiv Query: search_query=cat:eess.IV</title>"
        f'<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>'
        f'<opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}</opensearch:startIndex>'
        '<opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">100</opensearch:itemsPerPage>'
        f"{entries}</feed>"
    ).encode()


def test_empty_page_past_the_end_is_quietly_empty():
    # exercises: totalResults 0 is a normal answer, not an error
    listing = arxiv_api.parse(_page(0, 0))
    assert listing.entries == [] and listing.notes == []


def test_empty_page_before_the_end_is_flagged_for_retry():
    # exercises: arXiv's occasional empty page in the middle of a result set
    listing = arxiv_api.parse(_page(250, 100))
    assert listing.entries == []
    assert any("retry" in note and "250" in note for note in listing.notes)


def test_announcement_feed_given_to_the_api_parser_is_refused():
    with pytest.raises(ParseError, match="opensearch"):
        arxiv_api.parse((FIXTURES / "rss_cs.CV_2025-09-22_first-item_closing-tags-appended.xml").read_bytes())
