"""The reading page's and the charts' queries: new papers of a period, their tag evidence and
labels, papers per day per source and per modality, and each source's runs per day.

Functions take a plain sqlite3 connection because Datasette hands its own (read-only) ones to
the plugin; nothing here writes. A period selects papers by `first_seen_at` (new papers), not by
any sighting, so a paper listed again this week does not crowd out the week's new ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.store.fts_query import to_fts5

# Worst first: a day shows the worst status its runs had.
RUN_STATUS_ORDER = ("failed", "interrupted", "rate-limited", "empty", "skipped", "not-modified", "ok")


@dataclass(frozen=True)
class Period:
    """Days `since`..`until` inclusive (YYYY-MM-DD), and how the page names them."""

    since: str
    until: str
    label: str


@dataclass(frozen=True)
class ReadingFilter:
    tag: str | None = None
    source: str | None = None
    search: str | None = None  # as typed; rewritten by fts_query.to_fts5


def is_paperfeed_database(conn: sqlite3.Connection) -> bool:
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"papers", "sightings", "paper_tags", "runs"} <= names


def new_papers(conn: sqlite3.Connection, period: Period, selection: ReadingFilter,
               limit: int) -> list[dict[str, Any]]:
    """Papers first seen in `period`, newest day first, most upvoted first within a day."""
    clauses = ["p.first_seen_at BETWEEN ? AND ?"]
    params: list[Any] = [period.since, period.until]
    if selection.tag:
        clauses.append("p.id IN (SELECT paper_id FROM effective_tags WHERE tag = ?)")
        params.append(selection.tag)
    if selection.source:
        clauses.append("p.id IN (SELECT paper_id FROM sightings WHERE source GLOB ?)")
        params.append(selection.source)
    if selection.search:
        clauses.append("p.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
        params.append(to_fts5(selection.search))
    sql = (
        "SELECT p.id, p.arxiv_id, p.doi, p.title, p.abstract, p.authors, p.hf_url, p.arxiv_url, p.url,"
        " p.github_repo, p.project_page, p.organization, p.categories, p.first_seen_at,"
        " (SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) AS upvotes,"
        " (SELECT group_concat(DISTINCT s.source) FROM sightings s WHERE s.paper_id = p.id) AS sources"
        f" FROM papers p WHERE {' AND '.join(clauses)}"
        " ORDER BY p.first_seen_at DESC, upvotes DESC NULLS LAST, p.rowid DESC LIMIT ?"
    )
    return _dicts(conn.execute(sql, [*params, limit]))


def count_new_papers(conn: sqlite3.Connection, period: Period) -> int:
    return conn.execute("SELECT count(*) FROM papers WHERE first_seen_at BETWEEN ? AND ?",
                        (period.since, period.until)).fetchone()[0]


def latest_first_seen(conn: sqlite3.Connection) -> str | None:
    return conn.execute("SELECT max(first_seen_at) FROM papers").fetchone()[0]


def tag_evidence(conn: sqlite3.Connection, ids: list[str]) -> dict[str, list[tuple[str, str, str]]]:
    """(tag, field, matched words) per paper, tags in name order."""
    found: dict[str, list[tuple[str, str, str]]] = {key: [] for key in ids}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for paper_id, tag, field, matched in conn.execute(
                f"SELECT paper_id, tag, field, matched FROM effective_tags WHERE paper_id IN ({marks})"
                " ORDER BY paper_id, tag", chunk):
            found[paper_id].append((tag, field or "", matched or ""))
    return found


def labels_of(conn: sqlite3.Connection, ids: list[str]) -> dict[str, list[str]] | None:
    """People's labels per paper as "tag: yes|no", or None when the database predates `labels`."""
    columns = {row[1] for row in conn.execute("SELECT * FROM pragma_table_info('labels')")}
    if not {"paper_id", "tag", "value"} <= columns:
        return None
    found: dict[str, list[str]] = {key: [] for key in ids}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for paper_id, tag, value in conn.execute(
                f"SELECT paper_id, tag, value FROM labels WHERE paper_id IN ({marks}) ORDER BY paper_id, tag", chunk):
            found[paper_id].append(f"{tag}: {value}")
    return found


def tag_counts(conn: sqlite3.Connection, period: Period) -> list[tuple[str, int]]:
    """Tags of the period's new papers, most common first: the filter's choices."""
    return [tuple(row) for row in conn.execute(
        "SELECT t.tag, count(*) AS n FROM effective_tags t JOIN papers p ON p.id = t.paper_id"
        " WHERE p.first_seen_at BETWEEN ? AND ? GROUP BY t.tag ORDER BY n DESC, t.tag", (period.since, period.until))]


def source_names(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT DISTINCT source FROM sightings ORDER BY source")]


def papers_per_day_by_source(conn: sqlite3.Connection, since: str, until: str) -> list[tuple[str, str, int]]:
    """(day, source, papers listed that day by that source)."""
    return [tuple(row) for row in conn.execute(
        "SELECT listing_date, source, count(DISTINCT paper_id) FROM sightings WHERE listing_date BETWEEN ? AND ?"
        " GROUP BY listing_date, source ORDER BY listing_date, source", (since, until))]


def new_papers_per_day_by_modality(conn: sqlite3.Connection, since: str, until: str) -> list[tuple[str, str, int]]:
    """(day, modality, papers first seen that day with that modality tag)."""
    return [tuple(row) for row in conn.execute(
        "SELECT p.first_seen_at, substr(t.tag, 10), count(*) FROM papers p JOIN effective_tags t ON t.paper_id = p.id"
        " WHERE t.tag LIKE 'modality:%' AND p.first_seen_at BETWEEN ? AND ?"
        " GROUP BY p.first_seen_at, t.tag ORDER BY p.first_seen_at, t.tag", (since, until))]


def runs_per_day(conn: sqlite3.Connection, since: str, until: str) -> list[tuple[str, str, str, int]]:
    """(source, day, worst status of the day's runs, runs that day), by the day a run started."""
    worst = "CASE status " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(RUN_STATUS_ORDER)) + " ELSE 0 END"
    rows = conn.execute(
        f"SELECT source, substr(started_at, 1, 10) AS day, min({worst}) AS rank, count(*) FROM runs"
        " WHERE substr(started_at, 1, 10) BETWEEN ? AND ? AND status != 'running'"
        " GROUP BY source, day ORDER BY source, day", (since, until))
    return [(source, day, RUN_STATUS_ORDER[rank], n) for source, day, rank, n in rows]


def _chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]
