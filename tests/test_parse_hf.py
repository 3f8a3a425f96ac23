"""The Hugging Face parsers on the real saved page and API answer, and on broken copies of them."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, HF_API, HF_HTML, HF_PROPS
from pipeline.model import ParseError
from pipeline.formats import detect, hf_api, hf_html

EDGE = FIXTURES / "hf" / "edge"


def test_daily_page_hydration_json_gives_the_13_papers_of_2024_08_01():
    listing = hf_html.parse(HF_HTML.read_bytes())
    assert (listing.kind, listing.listing_date, listing.format) == ("daily", "2024-08-01", "hf-html")
    assert len(listing.entries) == 13
    first = listing.entries[0]
    assert first.arxiv_id == "2407.21783"
    assert first.title == "The Llama 3 Herd of Models"
    assert (first.upvotes, first.comments, first.rank, first.submitter) == (94, 5, 1, "akhaliq")
    assert len(first.authors) == 533
    assert first.published_at == "2024-07-31T17:54:27Z"
    assert first.abstract.startswith("Modern artificial intelligence (AI) systems are powered by foundation models.")
    assert [e.arxiv_id for e in listing.entries][-1] == "2404.01300"  # a months-old paper on this day's list
    assert all(e.listing_date == "2024-08-01" for e in listing.entries)


def test_hydration_json_and_cards_agree_on_ids_titles_upvotes_comments():
    raw = HF_HTML.read_bytes()
    from_json = hf_html.parse(raw).entries
    from_cards = hf_html.parse_cards(raw).entries
    assert len(from_cards) == 13

    def key(entry):
        return (entry.arxiv_id, entry.title, entry.upvotes, entry.comments, entry.submitter, entry.rank)

    assert [key(e) for e in from_json] == [key(e) for e in from_cards]
    assert all(e.abstract is None and e.authors == () for e in from_cards)  # cards carry neither


def test_api_sample_items_map_every_field():
    listing = hf_api.parse(HF_API.read_bytes())
    assert (listing.kind, listing.listing_date) == ("daily", "2024-10-25")
    assert [e.arxiv_id for e in listing.entries] == ["2410.17243", "2410.16251", "2410.18533", "2410.18693"]
    first = listing.entries[0]
    # paper.title is hard-wrapped in the API ("...Scaling for\n  Contrastive Loss"); we collapse it.
    assert first.title == "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    assert "\n" not in first.abstract and first.abstract.startswith("Contrastive loss is a powerful approach")
    assert first.authors[:2] == ("Zesen Cheng", "Hang Zhang") and len(first.authors) == 9
    assert (first.upvotes, first.comments, first.submitter) == (64, 3, "ClownRat")
    assert first.hf_url == "https://huggingface.co/papers/2410.17243"
    assert first.pdf_url == "https://arxiv.org/pdf/2410.17243"


def test_saved_hydration_props_parse_like_the_page():
    from_props = hf_api.parse(HF_PROPS.read_bytes())
    from_page = hf_html.parse(HF_HTML.read_bytes())
    assert [(e.arxiv_id, e.title, e.upvotes) for e in from_props.entries] == [
        (e.arxiv_id, e.title, e.upvotes) for e in from_page.entries
    ]
    assert from_props.listing_date == "2024-08-01"


def test_format_is_detected_from_content_not_name():
    assert detect(HF_HTML.read_bytes()) is hf_html
    assert detect(HF_API.read_bytes()) is hf_api
    assert detect(HF_PROPS.read_bytes()) is hf_api
    with pytest.raises(ParseError, match="unrecognised content"):
        detect(b"%PDF-1.7 not a listing")
    with pytest.raises(ParseError, match="empty response"):
        detect(b"   ")


def test_page_without_hydration_json_falls_back_to_cards():
    raw = HF_HTML.read_bytes().replace(b'data-target="DailyPapers"', b'data-target="SomethingElse"')
    listing = hf_html.parse(raw)
    assert len(listing.entries) == 13 and listing.entries[0].upvotes == 94
    assert "no DailyPapers data found" in listing.notes[0]


def test_page_with_neither_json_nor_cards_names_the_likely_cause():
    raw = HF_HTML.read_bytes().replace(b'data-target="DailyPapers"', b'data-target="X"').replace(b"<article", b"<section")
    with pytest.raises(ParseError, match=r"^no DailyPapers data found: layout change\?$"):
        hf_html.parse(raw)


def test_truncated_page_cut_inside_the_hydration_json_is_an_error():
    raw = HF_HTML.read_bytes()
    cut = raw[: raw.index(b'data-target="DailyPapers"') + 5000]
    with pytest.raises(ParseError):
        hf_html.parse(cut)


def test_id_sent_as_a_json_number_is_refused_not_float_mangled():
    # 2503.02130 as a number would become 2503.0213 and name another paper.
    raw = b'[{"paper": {"id": 2503.02130, "title": "T", "upvotes": 1}, "numComments": 0}]'
    with pytest.raises(ParseError, match="without a text id"):
        hf_api.parse(raw)


def test_flat_paper_objects_and_2025_fields():
    listing = hf_api.parse((EDGE / "api_search_flat_2025_fields.json").read_bytes())
    assert listing.kind == "search"
    entry = listing.entries[0]
    assert entry.arxiv_id == "2503.02130" and entry.arxiv_version is None
    assert entry.github_repo == "https://github.com/example/medseg"
    assert (entry.github_stars, entry.project_page) == (42, "https://example.org/medseg")
    assert entry.organization == "Example University" and entry.ai_keywords == ("MRI", "segmentation")
    assert entry.authors == ("Ana Ruiz", "Bo Chen")  # the hidden author has a name and stays
    assert entry.abstract is None  # missing abstract is allowed


def test_search_page_takes_search_results_not_the_trending_list():
    listing = hf_html.parse((EDGE / "search_page_searchResults.html").read_bytes())
    assert listing.kind == "search"
    assert [e.arxiv_id for e in listing.entries] == ["2502.00001", "2502.00002"]


def test_json_of_the_wrong_shape_is_a_parse_error():
    with pytest.raises(ParseError):
        hf_api.parse(json.dumps({"unexpected": True}).encode())
    with pytest.raises(ParseError):
        hf_api.parse(b'[{"paper": {"id": "2401.00001"}}]')  # no title anywhere
