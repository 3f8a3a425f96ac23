"""arXiv announcement feeds: current RSS 2.0 and Atom, legacy RSS 1.0/RDF.

Values asserted below were read off the fixture files by eye (see
fixtures/SOURCES-feeds.md for where each file came from).
"""

from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.model import ParseError
from pipeline.formats import arxiv_feed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv"
CS_AI_ATOM = "rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml"
CS_CV_FRAGMENT = "rss_cs.CV_2025-09-22_channel+first-item_TRUNCATED.xml.fragment"
CS_CV_CLOSED = "rss_cs.CV_2025-09-22_first-item_closing-tags-appended.xml"
LEGACY_2018 = "physbiblio_export-rss_hep-ex_2018-05-23.rdf.xml"
LEGACY_2021 = "physbiblio_export-rss_hep-ex_2021-07-08_descriptions-replaced.rdf.xml"


@lru_cache(maxsize=None)  # the big Atom file is read by several tests; none mutates the result
def parse(name: str):
    return arxiv_feed.parse((FIXTURES / name).read_bytes())


# --- current Atom (truncated by upstream) ---------------------------------------------


def test_truncated_atom_keeps_the_86_complete_entries_and_says_why():
    listing = parse(CS_AI_ATOM)
    # feedparser sees 87 entries; the 87th lost everything after its link.
    assert len(listing.entries) == 86
    assert any("no element found" in n and "kept 86" in n and "dropped 1" in n for n in listing.notes)
    assert "2508.13435" not in {r.arxiv_id for r in listing.entries}  # the cut-off 87th
    assert (listing.kind, listing.format, listing.listing_date) == ("feed", "arxiv-atom", "2025-08-20")


def test_atom_announce_types_and_ids_match_the_file():
    listing = parse(CS_AI_ATOM)
    assert Counter(r.announce_type for r in listing.entries) == {"new": 41, "cross": 45}
    ids = [r.arxiv_id for r in listing.entries]
    assert len(set(ids)) == 86 and all(r.arxiv_version == 1 for r in listing.entries)
    assert ids[0] == "2508.13167" and ids[-1] == "2508.13434"


def test_atom_first_entry_fields():
    first = parse(CS_AI_ATOM).entries[0]
    assert first.title == (
        "Chain-of-Agents: End-to-End Agent Foundation Models via Multi-Agent Distillation and Agentic RL"
    )
    assert first.abstract.startswith("Recent advances in large language models (LLMs) and multi-agent")
    assert "Announce Type" not in first.abstract and "\n" not in first.abstract
    assert first.authors[:2] == ("Weizhen Li", "Jianbo Lin")
    assert first.authors[-1] == "Wangchunshu Zhou" and len(first.authors) == 30
    assert first.categories == ("cs.AI", "cs.CL")
    assert first.published_at == "2025-08-20T04:00:00Z" and first.updated_at is None
    assert first.listing_date == "2025-08-20"
    assert first.arxiv_url == "https://arxiv.org/abs/2508.13167"
    assert first.pdf_url == "https://arxiv.org/pdf/2508.13167"


def test_atom_keeps_tex_accents_and_latex_as_written():
    by_id = {r.arxiv_id: r for r in parse(CS_AI_ATOM).entries}
    assert by_id["2508.13434"].authors[0] == "Yunfeng Ge"
    assert "$1.13\\times$ faster" in by_id["2508.13434"].abstract
    assert any(a == "Paulo Andr\\'e Lima de Castro" for r in by_id.values() for a in r.authors)


# --- current RSS 2.0 (real header, cut by upstream) -----------------------------------


def test_rss_fragment_cut_inside_its_only_item_is_a_parse_error_not_an_empty_day():
    with pytest.raises(ParseError, match="no complete entry"):
        parse(CS_CV_FRAGMENT)


def test_rss_first_item_once_closed():
    listing = parse(CS_CV_CLOSED)
    assert (listing.format, listing.listing_date) == ("arxiv-rss", "2025-09-22")  # pubDate -0400
    [item] = listing.entries
    assert (item.arxiv_id, item.arxiv_version, item.announce_type) == ("2509.15234", 1, "new")
    assert item.title == "Exploring the Capabilities of LLM Encoders for Image-Text Retrieval in Chest X-rays"
    assert item.abstract.startswith("Vision-language pretraining has advanced image-text alignment")
    # the item was cut before its own pubDate: the channel's announcement stands in
    assert item.published_at == "2025-09-22T04:00:00Z"


# --- hand-made edge cases ---------------------------------------------------------------


def test_edge_cases_file():
    listing = parse("handmade_rss_edge-cases.xml")
    assert listing.listing_date == "2026-01-12"  # winter offset -0500
    new, replace_cross, old_style, no_guid = listing.entries
    assert new.title == "Segmenting Tumours in MRI with $\\mathcal{L}_2$ Priors"
    assert new.authors == ("Ana P\\'erez", "Bo Li", "Carl Ode Jr.")  # commas inside affiliations
    assert new.abstract == "We show that $x<y$ holds for H\\&E stains & more."
    assert new.published_at == "2026-01-12T05:00:00Z"
    assert (replace_cross.announce_type, replace_cross.arxiv_version) == ("replace-cross", 3)
    assert replace_cross.published_at is None and replace_cross.updated_at == "2026-01-12T05:00:00Z"
    assert replace_cross.doi == "10.1109/tmi.2025.1234567"
    assert (old_style.arxiv_id, old_style.arxiv_version) == ("math.GT/0309136", 2)
    assert old_style.arxiv_url == "https://arxiv.org/abs/math.GT/0309136"
    assert (no_guid.arxiv_id, no_guid.arxiv_version, no_guid.announce_type) == ("2601.05555", 2, "cross")


def test_empty_weekend_feed_is_an_empty_listing_for_that_day():
    listing = parse("handmade_rss_empty-saturday.xml")
    assert listing.entries == [] and listing.listing_date == "2025-09-27"
    assert any("no entries" in n for n in listing.notes)


# --- legacy RSS 1.0 / RDF ---------------------------------------------------------------


def test_legacy_2018_items():
    listing = parse(LEGACY_2018)
    assert (listing.kind, listing.format) == ("feed", "arxiv-rdf")
    # stamped 2018-05-23T20:30 (evening build): the batch is the next day's listing
    assert listing.listing_date == "2018-05-24"
    new, cross, updated = listing.entries
    assert (new.arxiv_id, new.arxiv_version, new.announce_type) == ("1805.08875", 1, "new")
    assert new.title == "Measurement of Transverse Single Spin Asymmetries"
    assert new.authors == ("Christopher Dilks",)  # "(STAR Collaboration)" is not a name
    assert new.categories == ("hep-ex",)
    assert new.abstract.startswith("In 2015 the first collisions between polarized protons")
    assert "$2.6<\\eta<4$" in new.abstract and "<p>" not in new.abstract  # double-escaped in the file
    assert new.published_at == "2018-05-24"
    assert (cross.arxiv_id, cross.announce_type, cross.title) == (
        "1805.09166", "cross", "Recent Top quark results from the Tevatron")
    assert (updated.arxiv_id, updated.arxiv_version, updated.announce_type) == ("1805.06430", 2, "replace")
    assert updated.categories == ("nucl-th",)  # the bracket holds the primary category
    assert updated.published_at is None and updated.updated_at == "2018-05-24"
    assert updated.authors == (
        "Shu-Sheng Xu", "Zhu-Fang Cui", "Lei Chang", "Joannis Papavassiliou", "Craig D. Roberts", "Hong-Shi Zong")


def test_legacy_2021_collaboration_with_hidden_authors():
    listing = parse(LEGACY_2021)
    lhcb, cross, updated = listing.entries
    assert lhcb.title == "Observation of excited $\\Omega_c^0$ baryons in $\\Omega_b^- \\to \\Xi_c^+ K^-\\pi^-$ decays"
    assert lhcb.authors == ("LHCb collaboration", "R. Aaij")
    assert any("2107.03419" in n and "909 additional authors" in n for n in listing.notes)
    assert (cross.arxiv_id, cross.arxiv_version, cross.announce_type, cross.categories) == (
        "2106.00550", 2, "cross", ("math.GR",))
    assert (updated.arxiv_id, updated.announce_type) == ("2007.03939", "replace")


# --- refusing what is not an arXiv feed -------------------------------------------------


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty response body"),
        (b"   \n", "empty response body"),
        (b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head></html>", "HTML page"),
        (b"<rss version='2.0'><channel><title>x</title><item><title>a", "no complete entry"),
        (b"<rss version='2.0'><channel><item><title>Blog post</title><link>https://blog.example.org/1</link>"
         b"</item></channel></rss>", "none of 1 entries has an arXiv id"),
    ],
)
def test_not_an_arxiv_feed_is_a_one_line_parse_error(raw, message):
    with pytest.raises(ParseError, match=message) as error:
        arxiv_feed.parse(raw)
    assert "\n" not in str(error.value)


def test_an_api_page_is_refused_by_the_feed_parser():
    raw = (FIXTURES / "physbiblio_api-query_au-gariazzo_2021-07-10_summaries-replaced.xml").read_bytes()
    with pytest.raises(ParseError, match="API result page"):
        arxiv_feed.parse(raw)
