"""Reading papers back out: filtered listings, full-text search, the FTS index.

Everything here streams or stops early: rows come from a cursor in batches,
tags are looked up one batch at a time, and ORDER BY and LIMIT run inside
SQLite, so exporting years of papers or searching a million of them never
holds every match in memory or sorts it in Python.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.columns import reading_select
from pipeline.store.core import Store
from pipeline.store.fts_query import HINT, SearchSyntaxError, to_fts5

BATCH = 500
SEARCH_ORDERS = ("rank", "recent")
LIST_ORDERS = ("date", "upvotes")
PERIODS = ("new", "seen", "updated")
# The day column a period selects on (for "seen", the sightings' own listing days).
_PAPER_DAY = {"new": "p.first_listed_at", "updated": "substr(p.updated_at, 1, 10)"}

_FIELDS = reading_select()  # the read fields of pipeline.columns
_LIST_ORDER_SQL = {
    # The index on last_seen_at (rowid breaks ties) yields this order without a sort.
    "date": "p.last_seen_at DESC, p.rowid DESC",
    "upvotes": "upvotes DESC NULLS LAST, p.last_seen_at DESC, p.rowid DESC",
}
# What SQLite says about a MATCH expression it cannot parse (as opposed to a locked or broken database).
_QUERY_ERRORS = ("fts5", "syntax error", "no such column", "unterminated string", "unknown special query")


@dataclass(frozen=True)
class PaperFilter:
    """Which papers a search, export or digest covers.

    `tags`: every group must match, any tag within a group will do, so
    `(("medical-imaging",), ("modality:mri", "modality:ct"))` is medical
    imaging on MRI or CT. `since`/`until` are days, inclusive. With `period`
    "new" (the default) they select papers that became new in those days
    (`first_listed_at`: the first dated listing, never a re-read search); with
    "seen" they select papers any listing showed in those days; with
    "updated", papers whose latest version appeared then (`updated_at`). `source` (a
    name or a glob such as `hf-*`) keeps papers that source listed (within
    those days, for "seen").
    """

    tags: tuple[tuple[str, ...], ...] = ()
    since: str | None = None
    until: str | None = None
    source: str | None = None
    period: str = "new"

    def where(self) -> tuple[list[str], list[Any]]:
        if self.period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}")
        clauses: list[str] = []
        params: list[Any] = []
        for group in self.tags:
            marks = ",".join("?" * len(group))
            clauses.append(f"p.id IN (SELECT paper_id FROM effective_tags WHERE tag IN ({marks}))")
            params.extend(group)
        days = (("listing_date >= ?", self.since), ("listing_date <= ?", self.until))
        if self.period in _PAPER_DAY:
            column = _PAPER_DAY[self.period]
            for sql, value in ((f"{column} >= ?", self.since), (f"{column} <= ?", self.until)):
                if value is not None:
                    clauses.append(sql)
                    params.append(value)
            days = ()
        seen: list[str] = []
        for sql, value in (*days, ("source GLOB ?", self.source)):
            if value is not None:
                seen.append(sql)
                params.append(value)
        if seen:
            clauses.append(f"p.id IN (SELECT paper_id FROM sightings WHERE {' AND '.join(seen)})")
        return clauses, params


def iter_papers(store: Store, selection: PaperFilter, *, order: str = "date",
                limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Papers matching `selection`, newest sighting first (or most upvoted), with their tags."""
    if order not in _LIST_ORDER_SQL:
        raise ValueError(f"order must be one of {', '.join(LIST_ORDERS)}")
    clauses, params = selection.where()
    sql = f"SELECT {_FIELDS} FROM papers p"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {_LIST_ORDER_SQL[order]}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    yield from _stream(store.conn, sql, params)


def count_papers(store: Store, selection: PaperFilter) -> int:
    clauses, params = selection.where()
    sql = "SELECT count(*) FROM papers p" + (" WHERE " + " AND ".join(clauses) if clauses else "")
    return store.conn.execute(sql, params).fetchone()[0]


def search(store: Store, query: str, selection: PaperFilter = PaperFilter(), *, limit: int = 20,
           order: str = "rank") -> list[dict[str, Any]]:
    """Papers matching a query, best first (`rank`) or most recently added first (`recent`).

    The query is FTS5 syntax plus the field's hyphenated and dotted words
    (`X-ray`, `U-Net`, `T1-weighted`), rewritten by `fts_query.to_fts5`.

    `recent` walks the index from the newest row down and stops at `limit`,
    so a query for a word in half the database costs no more than a rare one.
    `rank` scores every match (bm25, title words weighing most) and keeps the
    best `limit` in SQLite's bounded sorter; equal scores come in rowid order.
    """
    if order not in SEARCH_ORDERS:
        raise ValueError(f"order must be one of {', '.join(SEARCH_ORDERS)}")
    if not query.strip():
        raise SearchSyntaxError("empty search query")
    expression = to_fts5(query)
    clauses, params = selection.where()
    join = " JOIN papers p ON p.rowid = f.rowid" if clauses else ""
    where = " AND ".join(["papers_fts MATCH ?", *clauses])
    # Sorting on the selected score leaves the ranking to SQLite's bounded sorter, which computes
    # bm25 once per match; FTS5's own ORDER BY rank is slower and computes it again for the output.
    hit_order = "score, f.rowid" if order == "rank" else "f.rowid DESC"
    sql = (
        f"WITH hits AS (SELECT f.rowid AS rid, f.rank AS score FROM papers_fts f{join}"
        f" WHERE {where} ORDER BY {hit_order} LIMIT ?)"
        f" SELECT {_FIELDS}, hits.score AS score FROM hits JOIN papers p ON p.rowid = hits.rid"
        f" ORDER BY {'hits.score, hits.rid' if order == 'rank' else 'hits.rid DESC'}"
    )
    try:
        return list(_stream(store.conn, sql, [expression, *params, limit]))
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if any(fragment in message.lower() for fragment in _QUERY_ERRORS):
            raise SearchSyntaxError(f"search query {query!r}: {message} ({HINT})") from None
        raise


def rebuild_fts(store: Store) -> int:
    """Rebuild the full-text index from `papers`; returns how many papers it covers."""
    with store.write_transaction() as conn:
        conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")
    return store.conn.execute("SELECT count(*) FROM papers").fetchone()[0]


def fts_in_sync(store: Store) -> bool:
    """Whether the full-text index matches `papers` exactly (FTS5 integrity-check against its content)."""
    try:
        store.conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    return True


def tags_for(conn: sqlite3.Connection, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """(tag, matched words) per paper id, tags in name order."""
    found: dict[str, list[tuple[str, str]]] = {key: [] for key in ids}
    if ids:
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT paper_id, tag, matched FROM effective_tags WHERE paper_id IN ({marks}) ORDER BY paper_id, tag", ids
        )
        for paper_id, tag, matched in rows:
            found[paper_id].append((tag, matched))
    return found


def _stream(conn: sqlite3.Connection, sql: str, params: list[Any]) -> Iterator[dict[str, Any]]:
    """Rows in batches, each batch completed with its tags, all from one read snapshot."""
    own_snapshot = not conn.in_transaction
    if own_snapshot:
        conn.execute("BEGIN")
    try:
        cursor = conn.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            tags = tags_for(conn, [row["id"] for row in batch])
            for row in batch:
                yield _paper(row, tags[row["id"]])
    finally:
        # A stream abandoned by a failed export may be closed after its connection was.
        with contextlib.suppress(sqlite3.ProgrammingError):
            if own_snapshot and conn.in_transaction:
                conn.execute("COMMIT")


def _paper(row: sqlite3.Row, tags: list[tuple[str, str]]) -> dict[str, Any]:
    paper = dict(row)
    paper["authors"] = json.loads(paper["authors"] or "[]")
    paper["sources"] = sorted(json.loads(paper["sources"] or "[]"))
    paper["categories"] = json.loads(paper["categories"] or "[]")
    paper["tags"] = [tag for tag, _ in tags]
    paper["matched"] = {tag: matched for tag, matched in tags}
    return paper
