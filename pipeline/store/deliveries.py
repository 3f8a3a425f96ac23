"""What each subscription has sent to whom, and what was pushed to Zotero.

A delivery row is written only in the transaction that closes a successful
send, so a send that fails leaves nothing behind and its papers come again
next time. Rows are per (subscription, recipient, paper): a recipient whose
send failed is retried without repeating the papers to those it reached.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.store.core import Store, utc_now
from pipeline.store.fts_query import HINT, SearchSyntaxError, to_fts5
from pipeline.store.reading import _FIELDS, _QUERY_ERRORS, PaperFilter, _stream


@dataclass(frozen=True)
class Selection:
    """A subscription's query in store terms: tags (as `PaperFilter`), source globs, upvotes, FTS."""

    tags: tuple[tuple[str, ...], ...] = ()
    sources: tuple[str, ...] = ()
    min_upvotes: int | None = None
    query: str | None = None
    since: str | None = None  # first_listed_at on or after

    def where(self) -> tuple[list[str], list[Any]]:
        clauses, params = PaperFilter(tags=self.tags, since=self.since).where()
        if self.sources:
            clauses.append("p.id IN (SELECT paper_id FROM sightings WHERE "
                           + " OR ".join("source GLOB ?" for _ in self.sources) + ")")
            params.extend(self.sources)
        if self.min_upvotes:
            clauses.append("(SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) >= ?")
            params.append(self.min_upvotes)
        if self.query:
            clauses.append("p.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
            params.append(to_fts5(self.query))
        return clauses, params


def pending(store: Store, subscription: str, recipient: str, selection: Selection) -> list[dict[str, Any]]:
    """Papers the selection matches that this recipient of this subscription has not been sent."""
    clauses, params = selection.where()
    clauses.append("NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription = ? AND d.recipient = ?"
                   " AND d.paper_id = p.id)")
    params += [subscription, recipient]
    sql = (f"SELECT {_FIELDS} FROM papers p WHERE {' AND '.join(clauses)}"
           " ORDER BY p.first_listed_at DESC, upvotes DESC NULLS LAST, p.rowid DESC")
    try:
        return list(_stream(store.conn, sql, params))
    except sqlite3.OperationalError as exc:
        if selection.query and any(f in str(exc).lower() for f in _QUERY_ERRORS):
            raise SearchSyntaxError(f"search query {selection.query!r}: {exc} ({HINT})") from None
        raise


def start_run(store: Store, subscription: str) -> int:
    with store.write_transaction() as conn:
        return conn.execute("INSERT INTO delivery_runs (subscription, started_at, status) VALUES (?, ?, 'running')",
                            (subscription, utc_now())).lastrowid


def record_sent(store: Store, run_id: int, subscription: str, recipient: str, paper_ids: Iterable[str]) -> None:
    """One recipient's successful send: its papers are delivered to it from now on."""
    now = utc_now()
    with store.write_transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO deliveries (subscription, recipient, paper_id, delivered_at, delivery_run_id)"
            " VALUES (?, ?, ?, ?, ?)", [(subscription, recipient, key, now, run_id) for key in paper_ids])


def finish_run(store: Store, run_id: int, *, status: str, papers: int, recipients: int,
               late_sources: list[str], errors: list[str]) -> None:
    with store.write_transaction() as conn:
        conn.execute(
            "UPDATE delivery_runs SET finished_at = ?, status = ?, papers = ?, recipients = ?, late_sources = ?,"
            " error = ? WHERE id = ?",
            (utc_now(), status, papers, recipients, json.dumps(late_sources), "; ".join(errors) or None, run_id))


def first_attempt_day(store: Store, subscription: str) -> str | None:
    row = store.conn.execute("SELECT min(started_at) FROM delivery_runs WHERE subscription = ?",
                             (subscription,)).fetchone()
    return row[0][:10] if row and row[0] else None


def delivered(store: Store, subscription: str) -> Iterator[dict[str, Any]]:
    """The papers a subscription has delivered (to any recipient), newest delivery first."""
    sql = (f"SELECT {_FIELDS} FROM papers p WHERE p.id IN (SELECT paper_id FROM deliveries WHERE subscription = ?)"
           " ORDER BY p.first_listed_at DESC, p.rowid DESC")
    return _stream(store.conn, sql, [subscription])


def history(store: Store, subscription: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    sql = "SELECT * FROM delivery_runs" + (" WHERE subscription = ?" if subscription else "")
    sql += " ORDER BY id DESC LIMIT ?"
    return store.query(sql, [*([subscription] if subscription else []), limit])


def delivery_counts(store: Store) -> dict[str, int]:
    return {row[0]: row[1] for row in store.conn.execute(
        "SELECT subscription, count(DISTINCT paper_id) FROM deliveries GROUP BY subscription")}


# -- Zotero -------------------------------------------------------------------------------------

def pushed_ids(conn: sqlite3.Connection, library: str, paper_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(paper_ids), 500):
        chunk = paper_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(row[0] for row in conn.execute(
            f"SELECT paper_id FROM zotero_pushes WHERE library = ? AND paper_id IN ({marks})", [library, *chunk]))
    return found


def record_pushes(store: Store, library: str, keys: dict[str, str]) -> None:
    """paper id -> Zotero item key, for the items the server confirmed."""
    now = utc_now()
    with store.write_transaction() as conn:
        conn.executemany("INSERT OR REPLACE INTO zotero_pushes (library, paper_id, item_key, pushed_at)"
                         " VALUES (?, ?, ?, ?)", [(library, pid, key, now) for pid, key in keys.items()])
