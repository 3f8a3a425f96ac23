"""Identity: every spelling of an id that real sources use must meet, and
numbers that merely look like ids must not."""

import pytest
from hypothesis import given, strategies as st

from pipeline.identity.ids import (
    find_identifiers,
    normalize_doi,
    paper_id,
    parse_arxiv_id,
    preprint_doi_from_link,
    preprint_version_from_link,
    split_doi_version,
    title_key,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        # spellings seen in the samples
        ("oai:arXiv.org:2509.15234v1", ("2509.15234", 1)),  # RSS guid / Atom id
        ("https://arxiv.org/abs/2509.15234", ("2509.15234", None)),  # RSS link
        ("arXiv:2203.01250v3", ("2203.01250", 3)),  # description prefix
        ("http://arxiv.org/abs/hep-ex/0307015", ("hep-ex/0307015", None)),  # API 2007 id
        ("http://arxiv.org/pdf/hep-ex/0307015v1", ("hep-ex/0307015", 1)),
        ("http://arxiv.org/abs/1510.05980v1", ("1510.05980", 1)),
        ("https://huggingface.co/papers/2410.17243#community", ("2410.17243", None)),
        # other documented forms
        ("cond-mat/0702661v2", ("cond-mat/0702661", 2)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
        ("MATH.gt/0309136", ("math.GT/0309136", None)),
        ("0704.0001", ("0704.0001", None)),  # first new-style id, 4 digits
        ("https://arxiv.org/pdf/2509.15234v2.pdf", ("2509.15234", 2)),
        ("10.48550/arXiv.2410.17243", ("2410.17243", None)),
        ("https://doi.org/10.48550/arXiv.2410.17243", ("2410.17243", None)),
        ("/abs/2509.15234", ("2509.15234", None)),  # relative link on listing pages
        ("  2410.17243v2 ", ("2410.17243", 2)),
    ],
)
def test_arxiv_id_spellings_meet(text, expected):
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "10.1016/j.media.2020.12345",  # a journal DOI containing NNNN.NNNNN
        "2020.12345 is a page number",
        "1412.12345",  # 5-digit number before 2015 never existed
        "2513.12345",  # month 13
        "http://biorxiv.org/cgi/content/short/8577891v1",  # 7 digits after a non-archive word
        "10.1101/2025.09.17.676679",
        "",
        None,
    ],
)
def test_numbers_that_only_look_like_arxiv_ids_are_refused(text):
    assert parse_arxiv_id(text) is None


@pytest.mark.parametrize(
    "text, doi, version",
    [
        ("doi:10.1101/857789", "10.1101/857789", None),  # bioRxiv RSS dc:identifier
        ("10.64898/2026.07.31.741992", "10.64898/2026.07.31.741992", None),  # new prefix, API
        ("https://www.biorxiv.org/content/10.64898/2026.05.19.726321v1?rss=1", "10.64898/2026.05.19.726321", 1),
        ("https://doi.org/10.1101/2025.09.17.676679v2.full.pdf", "10.1101/2025.09.17.676679", 2),
        ("http://dx.doi.org/10.1088/1742-6596/718/3/032006", "10.1088/1742-6596/718/3/032006", None),
        ("DOI: 10.1109/TMI.2025.1234567.", "10.1109/tmi.2025.1234567", None),
        ("10.1101/gr.123456.111", "10.1101/gr.123456.111", None),  # Genome Research, not a preprint
        ("https://example.org/?doi=10.1002%2Fmrm.30000", "10.1002/mrm.30000", None),
        ("(see 10.1002/(SICI)1097-4636(199906)45:4)", "10.1002/(sici)1097-4636(199906)45:4", None),
        ("no doi here", None, None),
    ],
)
def test_doi_normalisation_and_preprint_version(text, doi, version):
    assert split_doi_version(text) == (doi, version)
    assert normalize_doi(text) == doi


def test_biorxiv_links_give_doi_and_version_even_in_the_old_short_form():
    old = "http://biorxiv.org/cgi/content/short/857789v1?rss=1"
    assert preprint_doi_from_link(old) == "10.1101/857789"
    assert preprint_version_from_link(old) == 1
    new = "https://www.medrxiv.org/content/10.1101/2025.01.02.25300001v3"
    assert preprint_doi_from_link(new) == "10.1101/2025.01.02.25300001"
    assert preprint_version_from_link(new) == 3
    assert preprint_doi_from_link("https://journal.example.org/doi/10.1234/x") is None


def test_find_identifiers_in_prose_needs_markers_and_keeps_order():
    found = find_identifiers(
        "Preprint: arXiv:2508.15383v2; published as https://doi.org/10.1103/f42p-524t.",
        "Also 10.48550/arXiv.2401.00001 and a page range 2020.12345.",
        "Again arXiv:2508.15383.",
    )
    assert found.arxiv == [("2508.15383", 2), ("2401.00001", None)]
    assert found.dois == ["10.1103/f42p-524t"]  # arXiv's own DOI is reported as an arXiv id


def test_title_key_ignores_case_accents_markup_punctuation_and_name_order():
    a = title_key("Microscale Collagen & Fibroblast Interactions.", "Kukla, D.")
    b = title_key("microscale collagen <i>and</i> fibroblast interactions", "Dan Kukla")
    assert a == "microscale collagen fibroblast interactions|kukla"
    assert b == "microscale collagen and fibroblast interactions|kukla"
    assert title_key("Émile’s Résumé", "Martin Luther King Jr.") == "emile s resume|king"
    assert title_key("  ", "Anyone") is None
    assert title_key("Only a title", None) == "only a title|"


def test_paper_id_priority_arxiv_then_doi_then_title():
    assert paper_id("hep-ex/0307015", "10.1/x", "t|a") == "arxiv:hep-ex/0307015"
    assert paper_id(None, "10.1101/857789", "t|a") == "doi:10.1101/857789"
    assert paper_id(None, None, "t|a") == "title:t|a"
    assert paper_id(None, None) is None


new_style = st.builds(
    lambda yy, mm, n, v: (f"{yy:02d}{mm:02d}.{n:05d}", v),
    st.integers(15, 99), st.integers(1, 12), st.integers(1, 99999), st.none() | st.integers(1, 30),
)
old_style = st.builds(
    lambda archive, yy, mm, n, v: (f"{archive}/{yy:02d}{mm:02d}{n:03d}", v),
    st.sampled_from(["hep-ex", "math.GT", "cond-mat", "astro-ph", "q-bio", "cs.AI"]),
    st.integers(0, 99), st.integers(1, 12), st.integers(1, 999), st.none() | st.integers(1, 30),
)


@given(st.one_of(new_style, old_style), st.sampled_from([
    "{id}", "arXiv:{id}", "oai:arXiv.org:{id}", "https://arxiv.org/abs/{id}", "http://arxiv.org/pdf/{id}.pdf",
]))
def test_any_valid_id_round_trips_through_every_spelling(id_and_version, template):
    arxiv_id, version = id_and_version
    written = arxiv_id + (f"v{version}" if version else "")
    assert parse_arxiv_id(template.format(id=written)) == (arxiv_id, version)
