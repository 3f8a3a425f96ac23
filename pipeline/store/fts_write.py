"""The full-text index of one listing, written in one statement inside the listing's transaction.

`papers_fts` is kept in step with `papers` by triggers, so that any writer
(sqlite3, Datasette, a script) keeps it right. Row by row, those triggers were
a third of an ingest: each one inserts into FTS5 on its own statement, and
FTS5 flushes at every statement. A listing therefore switches them off for its
own transaction (a row in `fts_deferred`, which the triggers check; no other
connection ever sees it, since it is removed before COMMIT) and writes the
index itself: the text of a stored paper is taken out of the index before its
row changes, and every row whose text the index lacks is added back at the
end with one INSERT ... SELECT.
"""

from __future__ import annotations

import os
import sqlite3

_INDEXED = ("title", "abstract", "authors")


class ListingIndex:
    """Defers `papers_fts` maintenance for one write transaction; `flush` before it commits."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.missing: set[int] = set()  # rowids of papers whose text the index does not hold
        self.marker = conn.execute("INSERT INTO fts_deferred (writer) VALUES (?)",
                                   (f"paperfeed pid {os.getpid()}",)).lastrowid

    def inserted(self, rowid: int) -> None:
        self.missing.add(rowid)

    def before_change(self, key: str, old: dict | None = None, new: dict | None = None) -> None:
        """Call before a stored paper's row is deleted, or updated from `old` to `new`:
        its indexed text leaves the index now (FTS5 needs the old text to remove it)."""
        if old is not None and new is not None and all(old[c] == new[c] for c in _INDEXED):
            return
        rowid = self.conn.execute("SELECT rowid FROM papers WHERE id = ?", (key,)).fetchone()[0]
        if rowid in self.missing:
            return
        self.conn.execute(
            "INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)"
            " SELECT 'delete', rowid, title, abstract, authors FROM papers WHERE rowid = ?", (rowid,))
        self.missing.add(rowid)

    def flush(self) -> None:
        """Index every paper still missing from it, in one statement, and switch the triggers back on."""
        if self.missing:
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS fts_missing (id INTEGER PRIMARY KEY)")
            self.conn.executemany("INSERT OR IGNORE INTO temp.fts_missing (id) VALUES (?)",
                                  [(rowid,) for rowid in self.missing])
            self.conn.execute(
                "INSERT INTO papers_fts (rowid, title, abstract, authors)"
                " SELECT p.rowid, p.title, p.abstract, p.authors FROM temp.fts_missing m"
                " JOIN papers p ON p.rowid = m.id ORDER BY m.id")
            self.conn.execute("DELETE FROM temp.fts_missing")
            self.missing.clear()
        self.conn.execute("DELETE FROM fts_deferred WHERE rowid = ?", (self.marker,))
