"""Feeds read as they really are: one test per defect, each on a small input that says what it exercises."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from conftest import FIXTURES, HF_API, ROOT
from pipeline.cli import cli
from pipeline.model import ParseError
from pipeline.formats import arxiv_api, detect, generic_feed, hf_api, hf_text, parse_any
from sources_helpers import API_NEW_BACKEND, JOURNAL_ATOM, rows

FEEDS = FIXTURES / "feeds"
REPEATED = FEEDS / "handmade_rdf_repeated-identifiers_two-issues.xml"
PREFIXED = FEEDS / "handmade_rss_citation-prefix-titles.xml"
BAD_DATES = FEEDS / "handmade_rss_impossible-dates.xml"
RENDERED = FIXTURES / "hf" / "hf_papers_search_medical-imaging_rendered-text_2026-02-23.txt"


def ingest(db, path):
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_repeated_identifier_is_read_and_two_issues_editorials_stay_apart(db_path):
    listing = generic_feed.parse(REPEATED.read_bytes())
    assert [r.doi for r in listing.entries] == [
        "10.5555/jie.2024.05.001", "10.5555/jie.2024.06.001", "10.5555/jie.2024.06.002"]
    # A second DOI of the same item is kept, as an identifier of the same paper.
    assert listing.entries[2].relations == (("is-identical-to", "doi", "10.5555/jie-corrected.2024.06.002"),)
    ingest(db_path, REPEATED)
    assert rows(db_path, "select id from papers where title = 'Editorial' order by id") == [
        ("doi:10.5555/jie.2024.05.001",), ("doi:10.5555/jie.2024.06.001",)]
    owners = rows(db_path, "select distinct paper_id from identifiers where value in"
                           " ('10.5555/jie-corrected.2024.06.002', '10.5555/jie.2024.06.002')")
    assert len(owners) == 1 and rows(db_path, "select count(*) from papers") == [(3,)]


def test_lower_case_initials_split_into_the_right_number_of_authors():
    record = generic_feed.parse(REPEATED.read_bytes()).entries[2]
    assert record.authors == ("Zhang, a.", "jiang, x.")


def test_clean_dc_title_wins_over_a_bibliographic_prefix():
    titles = [r.title for r in generic_feed.parse(PREFIXED.read_bytes()).entries]
    assert titles == ["Flow Past a Cylinder at Low Reynolds Numbers", "Lung nodule volumetry on low-dose CT",
                      "A cohort of 105 patients imaged with 3 T MRI"]


def test_citation_line_descriptions_are_not_abstracts():
    listing = generic_feed.parse(PREFIXED.read_bytes())
    abstracts = [r.abstract for r in listing.entries]
    assert abstracts[:2] == [None, None]
    assert abstracts[2].startswith("We imaged 105 patients (volume 3 of the registry)")  # prose stays
    assert "2 descriptions were citation lines, not abstracts: no abstract stored" in listing.notes


def test_impossible_dates_are_null_with_a_note(db_path):
    listing = generic_feed.parse(BAD_DATES.read_bytes())
    assert [(r.title, r.published_at, r.listing_date) for r in listing.entries][-1] == ("A good day", "2024-02-29", "2024-02-29")
    assert all(r.published_at is None for r in listing.entries[:4])
    assert "4 items with an impossible date: stored without one" in listing.notes
    ingest(db_path, BAD_DATES)
    assert rows(db_path, "select count(*) from papers where published_at is null") == [(4,)]
    [(error,)] = rows(db_path, "select error from runs")
    assert "impossible date" in error


def test_arxiv_api_with_total_results_zero_is_an_empty_run(db_path, tmp_path):
    """Hand-made from the real 2026 API answer: its entry removed and totalResults 0."""
    text = API_NEW_BACKEND.read_text()
    start, end = text.index("<entry>"), text.index("</entry>") + len("</entry>")
    empty = (text[:start] + text[end:]).replace("<opensearch:totalResults>927<", "<opensearch:totalResults>0<")
    path = tmp_path / "api_empty.xml"
    path.write_text(empty)
    assert arxiv_api.parse(empty.encode()).confirmed_empty
    ingest(db_path, path)
    assert rows(db_path, "select source, status from runs") == [("arxiv-api", "empty")]


def test_hf_answer_without_daily_stamp_is_one_day_not_each_items_own(db_path, tmp_path):
    """The real 2024-10-25 answer (no submittedOnDailyAt) with one item put on the list at 23:58 the evening before."""
    items = json.loads(HF_API.read_bytes())
    items[1]["publishedAt"] = "2024-10-24T23:58:00.000Z"
    listing = hf_api.parse(json.dumps(items).encode())
    assert listing.listing_date == "2024-10-25" and {r.listing_date for r in listing.entries} == {"2024-10-25"}
    assert "filed under 2024-10-25" in listing.notes[0]
    # Never the paper's own publication day (2024-10-21 / -22 / -24 here).
    assert all(r.published_at[:10] != r.listing_date for r in listing.entries)


def test_utf8_bom_and_utf16_are_decoded():
    bom = b"\xef\xbb\xbf" + HF_API.read_bytes()
    assert detect(bom) is hf_api and len(parse_any(bom).entries) == 4
    text = JOURNAL_ATOM.read_text(encoding="utf-8")
    utf16 = text.replace('encoding="utf-8"', 'encoding="UTF-16"').encode("utf-16")
    expected = [(r.title, r.doi) for r in parse_any(JOURNAL_ATOM.read_bytes()).entries]
    assert [(r.title, r.doi) for r in parse_any(utf16).entries] == expected
    assert [(r.title, r.doi) for r in generic_feed.parse(utf16).entries] == expected
    crossref_bom = b"\xef\xbb\xbf" + (FIXTURES / "crossref" / "crossref_works_10.1038-ng.3834_has-preprint_2023-10-05_commonmeta.json").read_bytes()
    assert parse_any(crossref_bom).entries[0].doi == "10.1038/ng.3834"


def test_html_card_fallback_is_linear_in_nesting_depth():
    """A generated page of 20,000 nested <div>s, each with text, inside one card and no hydration JSON.

    Reading every div's whole text took minutes; the check runs in a subprocess
    and must finish well inside a generous timeout (no timing assertion).
    """
    script = textwrap.dedent("""
        from pipeline.formats import hf_html
        n = 20000
        page = ("<!doctype html><html><body><time datetime='2024-08-01T00:00:00.000Z'></time><article>"
                "<h3><a href='/papers/2407.21783'>A card</a></h3>" + "<div>x " * n + "</div>" * n
                + "<div>Submitted by <img src='a.png'/> someone</div></article></body></html>").encode()
        listing = hf_html.parse(page)
        print(len(listing.entries), listing.entries[0].submitter)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "someone"]


def test_rendered_text_page_cut_short_keeps_complete_cards_with_a_note():
    """The real reference page cut in the middle of its last card's abstract."""
    text = RENDERED.read_text()
    cut = text[: text.rindex("LVM-Med empirically outperforms")]
    whole = hf_text.parse(RENDERED.read_bytes())
    listing = hf_text.parse(cut.encode())
    assert len(listing.entries) == len(whole.entries) - 1
    assert listing.notes and listing.notes[0].startswith("page cut short: it ends inside the card")


def test_rendered_text_page_cut_inside_its_first_card_is_refused():
    text = RENDERED.read_text()
    cut = text[: text.index("The digitization of histology slides")]  # only the first card's title left
    try:
        hf_text.parse(cut.encode())
    except ParseError as error:
        assert "cut short before its first complete card" in str(error)
    else:
        raise AssertionError("a page cut inside its first card was accepted")


def test_biorxiv_impossible_posting_day_is_null_with_a_note():
    """The real details sample with its record's date replaced by 2026-13-45."""
    from sources_helpers import BIORXIV_API
    from pipeline.formats import biorxiv_api

    raw = BIORXIV_API.read_bytes().replace(b'"date":"2026-08-01"', b'"date":"2026-13-45"')
    listing = biorxiv_api.parse(raw)
    assert listing.entries[0].published_at is None and listing.entries[0].listing_date is None
    assert "1 records with an impossible date: stored without one" in listing.notes
