"""bioRxiv/medRxiv subject RSS and the details API."""

import json
from pathlib import Path

import pytest

from pipeline.model import ParseError
from pipeline.formats import biorxiv_api, biorxiv_rss
from pipeline.formats.paging import PageInfo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "biorxiv"
RSS_2019 = FIXTURES / "miniflux_biorxiv-rss_bioengineering_2019-11-29.rdf.xml"
DETAILS_2026 = FIXTURES / "published-doc_api-biorxiv_details_2026-08-01_ABRIDGED.json"


def test_subject_rss_2019_item():
    listing = biorxiv_rss.parse(RSS_2019.read_bytes())
    assert (listing.kind, listing.format, listing.listing_date) == ("feed", "biorxiv-rss", None)
    [paper] = listing.entries
    assert paper.doi == "10.1101/857789"
    assert paper.preprint_version == 1 and paper.arxiv_version is None and paper.arxiv_id is None
    assert paper.announce_type == "new"
    # CDATA padded with tabs and newlines
    assert paper.title == (
        "Microscale Collagen and Fibroblast Interactions Enhance Primary Human Hepatocyte Functions in 3-Dimensional Models"
    )
    assert paper.abstract.startswith("Human liver models that are 3-dimensional (3D) in architecture")
    assert paper.abstract.endswith("as building blocks for cell-based therapies.")
    assert "\t" not in paper.abstract and "\n" not in paper.abstract
    assert paper.authors == ("Kukla, D.", "Crampton, A.", "Wood, D.", "Khetani, S.")
    assert (paper.published_at, paper.listing_date) == ("2019-11-29", "2019-11-29")
    assert paper.categories == ("bioengineering",)  # prism:section is empty, the channel names it
    assert paper.url == "http://biorxiv.org/cgi/content/short/857789v1"


MEDRXIV_V2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:prism="http://purl.org/rss/1.0/modules/prism/">
 <channel rdf:about="http://medrxiv.org"><title>medRxiv Subject Collection: Radiology and Imaging</title>
  <link>http://medrxiv.org</link></channel>
 <item rdf:about="https://www.medrxiv.org/content/10.64898/2026.05.19.726321v2?rss=1">
  <title><![CDATA[ CT <i>in vivo</i> with p < 0.05 ]]></title>
  <link> https://www.medrxiv.org/content/10.64898/2026.05.19.726321v2?rss=1 </link>
  <description><![CDATA[ Dose of 10<sup>3</sup> and p < 0.05 & n>3. ]]></description>
  <dc:creator><![CDATA[ The ABC Consortium, Li, W., Garcia-Pelegrin, J.-P. ]]></dc:creator>
  <dc:date>2026-05-21</dc:date>
  <prism:section>Radiology and Imaging</prism:section>
 </item>
</rdf:RDF>"""


def test_hand_made_medrxiv_item_with_new_prefix_version_2_and_no_identifier_element():
    # exercises: DOI and version from the link alone, a later version dated as an update,
    # "<" inside CDATA kept, a consortium and a two-letter surname among the authors
    [paper] = biorxiv_rss.parse(MEDRXIV_V2).entries
    assert (paper.doi, paper.preprint_version, paper.announce_type) == (
        "10.64898/2026.05.19.726321", 2, "replace")
    assert paper.published_at is None and paper.updated_at == "2026-05-21"
    assert paper.title == "CT in vivo with p < 0.05"
    assert paper.abstract == "Dose of 10^3 and p < 0.05 & n>3."
    assert paper.authors == ("The ABC Consortium", "Li, W.", "Garcia-Pelegrin, J.-P.")
    assert paper.categories == ("radiology and imaging",)
    assert paper.url == "https://www.medrxiv.org/content/10.64898/2026.05.19.726321v2"


def test_details_api_record_with_the_new_doi_prefix():
    listing = biorxiv_api.parse(DETAILS_2026.read_bytes())
    assert (listing.kind, listing.format) == ("api", "biorxiv-api")
    assert listing.listing_date is None  # the interval spans two days
    [paper] = listing.entries
    assert paper.doi == "10.64898/2026.07.31.741992"
    assert paper.preprint_version == 1 and paper.announce_type == "new"
    assert paper.title == "Sound-shape correspondences in macaques reveal evolutionary roots of sound symbolism"
    assert paper.authors == ("Loconsole, M.", "Xue, C.", "Garcia-Pelegrin, E.")
    assert (paper.published_at, paper.listing_date) == ("2026-08-01", "2026-08-01")
    assert paper.categories == ("animal behavior and cognition",)
    assert paper.url == "https://www.biorxiv.org/content/10.64898/2026.07.31.741992v1"
    assert paper.pdf_url == "https://www.biorxiv.org/content/10.64898/2026.07.31.741992v1.full.pdf"


def test_details_api_page_info_reads_string_numbers():
    page = biorxiv_api.page_info(DETAILS_2026.read_bytes())
    assert page == PageInfo(total=109, start=0, per_page=30)
    assert (page.next_start, page.is_last) == (30, False)


def _details(message: dict, collection: list) -> bytes:
    return json.dumps({"messages": [message], "collection": collection}).encode()


def test_single_day_interval_is_the_listing_date_and_later_versions_are_updates():
    # exercises: interval of one day, version as an int, medRxiv server, upper-case DOI
    raw = _details(
        {"status": "ok", "interval": "2026-08-03:2026-08-03", "cursor": 0, "count": 1, "total": 1},
        [{"doi": "10.1101/2026.07.30.26300001", "title": "Chest CT triage", "authors": "Ng, A.",
          "date": "2026-08-03", "version": 3, "category": "Radiology and Imaging", "server": "medRxiv"}],
    )
    listing = biorxiv_api.parse(raw)
    assert listing.listing_date == "2026-08-03"
    [paper] = listing.entries
    assert (paper.preprint_version, paper.announce_type, paper.published_at, paper.updated_at) == (
        3, "replace", None, "2026-08-03")
    assert paper.url == "https://www.medrxiv.org/content/10.1101/2026.07.30.26300001v3"


def test_no_posts_found_is_an_empty_listing():
    listing = biorxiv_api.parse(_details({"status": "no posts found"}, []))
    assert listing.entries == [] and any("no posts found" in n for n in listing.notes)


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty response body"),  # seen from api.biorxiv.org in 2026
        (b"<html><body>Bad gateway</body></html>", "not JSON"),
        (b'[{"paper": {"id": "2410.17243"}}]', "no 'messages'"),  # an HF API list
        (_details({"status": "interval format error"}, []), "bioRxiv API error: interval format error"),
        (_details({"status": "ok", "total": "1", "cursor": "0"}, [{"title": "no doi"}]), "none of 1 records"),
    ],
)
def test_details_api_errors_are_one_line_parse_errors(raw, message):
    with pytest.raises(ParseError, match=message) as error:
        biorxiv_api.parse(raw)
    assert "\n" not in str(error.value)


def test_rss_parser_refuses_an_arxiv_feed():
    raw = (FIXTURES.parent / "arxiv" / "physbiblio_export-rss_hep-ex_2018-05-23.rdf.xml").read_bytes()
    with pytest.raises(ParseError, match="has a DOI"):
        biorxiv_rss.parse(raw)
