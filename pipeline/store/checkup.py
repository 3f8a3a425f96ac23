"""What `paperfeed doctor` asks of a database file, without changing it.

The file is opened read-only, so a check never migrates, repairs or creates
anything: integrity (`PRAGMA quick_check`), how far its schema is migrated
against the migrations this paperfeed knows, and whether the full-text
index matches `papers`. Each answer is a `Finding`: what was found,
and, when something is wrong, what to do about it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pipeline.store.core import BUSY_TIMEOUT_MS, connect
from pipeline.store.dbfile import DatabaseUnusable, check_database_file, load_migrations

MIGRATIONS_TABLE = "_sqlite_migrations"


@dataclass(frozen=True)
class Finding:
    what: str  # the thing checked: "integrity", "schema", "config", a host, a file
    ok: bool
    found: str
    remedy: str | None = None


def check_database(path: Path) -> list[Finding]:
    """Integrity, schema version and FTS consistency of an existing database file."""
    try:
        check_database_file(path)  # the file itself: a regular SQLite file this version can open
    except DatabaseUnusable as exc:
        return [Finding("database file", False, str(exc), "point --db at the right file, or use the paperfeed that wrote it")]
    try:
        conn = connect(path, readonly=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        return [Finding("integrity", False, f"{path}: not a readable SQLite database ({exc})",
                              "point --db at the right file, or move this one away and ingest again")]
    try:
        checks = [_integrity(conn), _schema(conn)]
    finally:
        conn.close()
    return [*checks, _fts(path)]


def _integrity(conn: sqlite3.Connection) -> Finding:
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems == ["ok"]:
        return Finding("integrity", True, "quick_check: ok")
    return Finding("integrity", False, "quick_check: " + "; ".join(problems),
                         "restore a backup, or `sqlite3 DB .recover | sqlite3 new.db` and point --db at new.db")


def _schema(conn: sqlite3.Connection) -> Finding:
    known = [migration.name for migration in load_migrations()._migrations]
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (MIGRATIONS_TABLE,)).fetchone()
    applied = [row[0] for row in conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = 'paperfeed' ORDER BY rowid")] if has_table else []
    unknown = [name for name in applied if name not in known]
    if unknown:
        return Finding("schema", False, f"created by a newer paperfeed, migration {unknown[0]}",
                             "use the paperfeed version that wrote it (pip install -U paperfeed)")
    if not applied:
        return Finding("schema", False, "no paperfeed migrations: not a paperfeed database",
                             "point --db at a paperfeed database, or ingest into a new file")
    pending = len(known) - len(applied)
    if pending:
        return Finding("schema", True, f"at migration {applied[-1]}, {pending} newer migration(s) to apply"
                             " (the next ingest applies them)")
    return Finding("schema", True, f"at the latest migration, {known[-1]}")


def _fts(path: Path) -> Finding:
    """FTS5's own integrity-check, which is an INSERT in form only: run in a transaction and rolled back."""
    remedy = "run `paperfeed fts-rebuild`"
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return Finding("full-text index", False, "papers_fts is missing", remedy)
        return Finding("full-text index", False, f"cannot be checked: {exc}", remedy)
    except sqlite3.DatabaseError as exc:
        return Finding("full-text index", False, f"out of step with papers ({exc})", remedy)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return Finding("full-text index", True, "matches papers")
