"""Datasette metadata for a paperfeed database, and starting Datasette on it.

The metadata is generated from the live schema and db/descriptions.toml (the
same source as docs/schema.md): titles, column descriptions, facets by tag,
source and date, raw FTS search on `papers`, and the example queries as
canned queries. Datasette itself is optional (`pip install "paperfeed[browse]"`).
"""

from __future__ import annotations

import importlib.util
from typing import Any

from pipeline.output.reference import Descriptions
from pipeline.store.introspect import SchemaObject

TITLE = "paperfeed"
DESCRIPTION = "New medical-imaging papers, one row per paper, with where and when each was listed and its tags."
SEARCH_QUERY = "search"  # the canned query behind every search box: best match first
SEARCHABLE_VIEWS = ("medical_imaging_papers", "papers_with_tags")
SEARCH_SQL = (
    "SELECT p.id, p.title, p.first_seen_at, round(f.rank, 2) AS score, p.abstract,"
    " coalesce(p.arxiv_url, 'https://arxiv.org/abs/' || p.arxiv_id, 'https://doi.org/' || p.doi, p.hf_url, p.url)"
    " AS page"
    " FROM papers_fts f JOIN papers p ON p.rowid = f.rowid"
    " WHERE papers_fts MATCH paperfeed_fts(:q) ORDER BY f.rank LIMIT 200"
)
FACETS: dict[str, list[Any]] = {
    "papers": [{"date": "last_seen_at"}, {"array": "categories"}],
    "sightings": ["source", {"date": "listing_date"}],
    "paper_tags": ["tag", "field"],
    "labels": ["tag", "value", "who"],
    "effective_tags": ["tag", "source"],
    "runs": ["source", "status"],
    "papers_with_tags": [{"array": "tags"}, {"date": "last_seen_at"}],
    "medical_imaging_papers": [{"array": "modalities"}, {"array": "anatomies"}, {"array": "tasks"},
                               {"date": "first_seen_at"}],
    "latest_sightings": ["source", {"date": "listing_date"}],
}
SORT_DESC = {"papers": "last_seen_at", "sightings": "listing_date", "runs": "id",
             "papers_with_tags": "last_seen_at", "medical_imaging_papers": "last_seen_at"}


def datasette_available() -> bool:
    return importlib.util.find_spec("datasette") is not None


def datasette_metadata(database: str, objects: list[SchemaObject], descriptions: Descriptions) -> dict[str, Any]:
    """Metadata for `datasette <database>.db --metadata ...`; `database` is the file name without `.db`."""
    tables: dict[str, Any] = {}
    for obj in objects:
        if obj.kind == "full-text index":
            continue
        entry: dict[str, Any] = {
            "description": descriptions.of(obj.name) or "",
            "columns": {c: descriptions.column(obj.name, c) or "" for c, _ in obj.columns},
        }
        if obj.name in FACETS:
            entry["facets"] = FACETS[obj.name]
        if obj.name in SORT_DESC:
            entry["sort_desc"] = SORT_DESC[obj.name]
        if obj.name == "papers" and any(o.name == "papers_fts" for o in objects):
            # Phrases, AND/OR/NOT and prefix* in the search box, as `paperfeed search` takes them.
            entry.update({"fts_table": "papers_fts", "fts_pk": "rowid", "searchmode": "raw"})
        if obj.name.startswith("_"):
            entry["hidden"] = True
        tables[obj.name] = entry
    queries = {q.name: {"title": q.title, "sql": q.sql} for q in descriptions.queries}
    if any(o.name == "papers_fts" for o in objects):
        queries[SEARCH_QUERY] = {
            "title": "Search papers, best match first",
            "description": 'Words, "phrases", AND / OR / NOT, prefix*, title:word; X-ray, U-Net, T1-weighted as written.',
            "sql": SEARCH_SQL,
        }
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "databases": {database: {"description": DESCRIPTION, "tables": tables, "queries": queries}},
    }
