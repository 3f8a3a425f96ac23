"""Helpers for tests of the arXiv/bioRxiv/feed sources: a local server, configs, DB reads, hand-made items.

Hand-made arXiv items are built from the real cs.CV RSS sample
(`rss_cs.CV_2025-09-22_first-item_closing-tags-appended.xml`): its channel is
kept as served and only the item is replaced, in the structure arXiv's
generator writes (title, link, description with the `arXiv:IDvN Announce
Type:` prefix, guid, category, pubDate, arxiv:announce_type, dc:creator).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ARXIV = FIXTURES / "arxiv"
RSS_SAMPLE = ARXIV / "rss_cs.CV_2025-09-22_first-item_closing-tags-appended.xml"
RDF_SAMPLE = ARXIV / "physbiblio_export-rss_hep-ex_2018-05-23.rdf.xml"
API_SAMPLE = ARXIV / "arxiv-docs_api_user-manual_typical-response_all-electron_2007.xml"
API_NEW_BACKEND = ARXIV / "export-api_query_q-bio.GN_2026-09-08_new-backend_ABRIDGED.xml"
API_GARIAZZO = ARXIV / "physbiblio_api-query_au-gariazzo_2021-07-10_summaries-replaced.xml"
API_ERROR = ARXIV / "arxiv-docs_api_user-manual_error-response_2007.xml"
EMPTY_SATURDAY = ARXIV / "handmade_rss_empty-saturday.xml"
EDGE_RSS = ARXIV / "handmade_rss_edge-cases.xml"
BIORXIV_RSS = FIXTURES / "biorxiv" / "miniflux_biorxiv-rss_bioengineering_2019-11-29.rdf.xml"
BIORXIV_API = FIXTURES / "biorxiv" / "published-doc_api-biorxiv_details_2026-08-01_ABRIDGED.json"
JOURNAL_ATOM = FIXTURES / "feeds" / "handmade_journal-toc_atom.xml"
PUBMED_RSS = FIXTURES / "feeds" / "handmade_pubmed-search_rss20.xml"


def rows(db_path, sql, params=()):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def arxiv_rss(items: list[dict], announced: str = "Mon, 22 Sep 2025 00:00:00 -0400") -> bytes:
    """The real cs.CV channel with `items` in arXiv's item structure, announced on `announced`."""
    text = RSS_SAMPLE.read_text()
    text = text.replace("Mon, 22 Sep 2025 00:00:00 -0400", announced)
    body = "".join(_item(announced, **item) for item in items)
    return re.sub(r"<item>.*</item>", lambda _: body, text, flags=re.DOTALL).encode()


def _item(announced: str, arxiv_id: str, version: int, title: str, authors: str, abstract: str,
          announce_type: str = "new", categories: tuple[str, ...] = ("cs.CV",), doi: str | None = None) -> str:
    cats = "".join(f"<category>{c}</category>" for c in categories)
    doi_element = f"<arxiv:DOI>{doi}</arxiv:DOI>" if doi else ""
    return (
        f"<item><title>{escape(title)}</title><link>https://arxiv.org/abs/{arxiv_id}</link>"
        f"<description>arXiv:{arxiv_id}v{version} Announce Type: {announce_type} \nAbstract: {escape(abstract)}</description>"
        f'<guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v{version}</guid>{cats}'
        f"<pubDate>{announced}</pubDate><arxiv:announce_type>{announce_type}</arxiv:announce_type>"
        f"<dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>{doi_element}"
        f"<dc:creator>{escape(authors)}</dc:creator></item>"
    )


def write_sources(config_dir: Path, text: str) -> None:
    (config_dir / "sources.toml").write_text(text)


def pace_host(config_dir: Path, host: str, seconds: float) -> None:
    """Add `host` to the [http.min_interval] table of the shipped settings.toml."""
    settings = config_dir / "settings.toml"
    text = settings.read_text()
    assert "[http.min_interval]\n" in text
    settings.write_text(text.replace("[http.min_interval]\n", f'[http.min_interval]\n"{host}" = {seconds}\n', 1))


def api_page(papers: list[tuple[str, str]], total: int, start: int, per_page: int) -> bytes:
    """An arXiv API page in the real 2026 backend's structure (API_NEW_BACKEND): its feed header
    with these OpenSearch totals, and its one entry repeated for each (arxiv id, submitted) pair."""
    text = API_NEW_BACKEND.read_text()
    entry = re.search(r"<entry>.*</entry>", text, flags=re.DOTALL).group(0)
    made = []
    for arxiv_id, submitted in papers:
        item = entry.replace("2609.04658", arxiv_id).replace("2026-09-04T02:40:47Z", submitted)
        made.append(item.replace("VizIt: A multi-view framework", f"Paper {arxiv_id}: a multi-view framework"))
    text = text.replace(entry, "\n".join(made))
    text = re.sub(r"<opensearch:itemsPerPage>\d+<", f"<opensearch:itemsPerPage>{per_page}<", text)
    text = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{total}<", text)
    text = re.sub(r"<opensearch:startIndex>\d+<", f"<opensearch:startIndex>{start}<", text)
    return text.encode()


def biorxiv_page(records: list[dict], total: int, cursor: int) -> bytes:
    """A details API page in the real sample's structure (BIORXIV_API), one record per dict of overrides."""
    import json

    payload = json.loads(BIORXIV_API.read_text())
    template = payload["collection"][0]
    payload["collection"] = [{**template, **overrides} for overrides in records]
    payload["messages"][0].update({"cursor": cursor, "count": len(records), "total": str(total)})
    return json.dumps(payload).encode()
