"""BibTeX, RIS and CSL-JSON exports of the fixtures parse back (bibtexparser, rispy, json) to the same
entries: same count, titles, DOIs and arXiv ids, with stable keys."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, HF_API, HF_HTML
from pipeline.output.latex_text import readable

bibtexparser = pytest.importorskip("bibtexparser")
rispy = pytest.importorskip("rispy")

INGESTED = [
    HF_HTML, HF_API, FIXTURES / "read" / "api_daily_2024-10-28_medical.json",
    FIXTURES / "deliver" / "arxiv_rss_eess.IV_2024-10-30_handmade.xml",
    FIXTURES / "arxiv" / "arxiv-docs_api_user-manual_typical-response_all-electron_2007.xml",
    FIXTURES / "crossref" / "crossref_journals-works_1932-6203_rows30_cursor-star_page1_2022-11-09_rcrossref.json",
    FIXTURES / "pubmed" / "pubmed_efetch_36096127_xcist-ct-simulation_2025-08_metapub.xml",
    FIXTURES / "pubmed" / "pubmed_efetch_29963580_pulmonary-imaging-collectivename_2019_biopython.xml",
]


@pytest.fixture
def papers(run_cli):
    for path in INGESTED:
        result = run_cli("ingest", str(path))
        assert result.exit_code == 0, result.output
    result = run_cli("export", "--format", "json")
    assert result.exit_code == 0
    found = json.loads(result.stdout)
    assert len(found) > 50 and any(p["doi"] for p in found) and any(p["arxiv_id"] for p in found)
    return found


def export(run_cli, fmt: str) -> str:
    result = run_cli("export", "--format", fmt)
    assert result.exit_code == 0, result.output
    return result.stdout


def plain(text: str) -> str:
    return " ".join("".join(c if c >= " " else " " for c in text).split())


def test_bibtex_parses_back_to_the_same_papers(run_cli, papers):
    text = export(run_cli, "bibtex")
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [] and len(library.entries) == len(papers)
    by_arxiv = {e["eprint"]: e for e in library.entries if "eprint" in e.fields_dict}
    assert set(by_arxiv) == {p["arxiv_id"] for p in papers if p["arxiv_id"]}
    assert all(e["archivePrefix"] == "arXiv" and e.entry_type == "misc" for e in by_arxiv.values()
               if "journal" not in e.fields_dict)
    assert {e["doi"] for e in library.entries if "doi" in e.fields_dict} == {p["doi"] for p in papers if p["doi"]}
    # Titles come back as written: LaTeX as LaTeX, plain text once its four escapes are undone.
    unescaped = sorted(e["title"].replace("\\&", "&").replace("\\%", "%").replace("\\#", "#").replace("\\_", "_")
                       for e in library.entries)
    assert unescaped == sorted(plain(p["title"]) for p in papers)
    assert any(e.entry_type == "article" and "journal" in e.fields_dict for e in library.entries)
    cs_primary = [e for e in by_arxiv.values() if e.fields_dict.get("primaryClass")]
    assert cs_primary and by_arxiv["2410.99020"]["primaryClass"] == "eess.IV"
    # Keys are unique and the same in a second export of a different selection.
    keys = [e.key for e in library.entries]
    assert len(set(keys)) == len(keys)
    again = bibtexparser.parse_string(run_cli("export", "--format", "bibtex", "--tag", "medical-imaging").stdout)
    assert again.entries and {e.key for e in again.entries} <= set(keys)


def test_ris_parses_back_to_the_same_papers(run_cli, papers):
    records = rispy.loads(export(run_cli, "ris"))
    assert len(records) == len(papers)
    assert sorted(r["title"] for r in records) == sorted(readable(plain(p["title"])) for p in papers)
    assert {r["doi"] for r in records if "doi" in r} == {p["doi"] for p in papers if p["doi"]}
    arxiv = {note.split()[0].removeprefix("arXiv:") for r in records for note in r.get("notes", [])
             if note.startswith("arXiv:")}
    assert arxiv == {p["arxiv_id"] for p in papers if p["arxiv_id"]}
    assert {r["type_of_reference"] for r in records} == {"UNPB", "JOUR"}


def test_csljson_parses_back_to_the_same_papers(run_cli, papers):
    items = json.loads(export(run_cli, "csljson"))
    assert len(items) == len(papers)
    assert sorted(i["title"] for i in items) == sorted(readable(plain(p["title"])) for p in papers)
    assert {i["DOI"] for i in items if "DOI" in i} == {p["doi"] for p in papers if p["doi"]}
    assert {i["number"].removeprefix("arXiv:") for i in items if "number" in i} == \
        {p["arxiv_id"] for p in papers if p["arxiv_id"]}
    journal = [i for i in items if i["type"] == "article-journal"]
    assert journal and all(i.get("container-title") for i in journal)
    assert len({i["id"] for i in items}) == len(items)
