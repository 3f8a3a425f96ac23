"""Opening and migrating a paperfeed database, transactions, and the run ledger.

Every connection runs in WAL mode with a busy timeout, so readers (sqlite3,
Datasette, pandas) keep reading while a listing is written. A listing's
papers, sightings, tags and its run row are written in one transaction that
starts with BEGIN IMMEDIATE: a reader sees all of a listing or none of it, and
a process killed mid-way leaves nothing half-written. Rows are only written
when a value changed, so re-ingesting an unchanged listing writes nothing but
its run row. Writing a listing is `listings.ListingWriter`, which `Store` mixes in.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlite_utils import Database

from pipeline.model import RunRow
from pipeline.statefile import pid_alive
from pipeline.store.dbfile import DatabaseUnusable, check_database_file, load_migrations, schema_lock
from pipeline.store.listings import ListingWriter

if TYPE_CHECKING:
    from pipeline.store.fetch_record import FetchRecord

BUSY_TIMEOUT_MS = 30_000


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(path: str | os.PathLike, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the settings every paperfeed connection needs.

    Read-only opens the file with `mode=ro`, so nothing can write through it.
    On a read-only file or mount a WAL database cannot get its `-shm` index:
    then the file is opened `immutable` (no other process can be writing it
    there either).
    """
    if readonly:
        conn = _connect_read_only(Path(path))
    else:
        conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.row_factory = sqlite3.Row
    return conn


def _connect_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise sqlite3.OperationalError(f"{path}: no such database file")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        conn = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None)
    return conn


_WRITE_FAILURES = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")


class WriteFailed(Exception):
    """The database could not be written (disk full, I/O error); the message names the file and SQLite's reason."""


class Store(ListingWriter):
    """A paperfeed database file, migrated to the current schema on open.

    `read_only` opens an existing file as it is: no migration, no write, and
    it works on a read-only file or mount (a copy handed to a notebook).
    """

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        if read_only:
            self.conn = connect(self.path, readonly=True)
            self.db = Database(self.conn)
            return
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnusable(f"{self.path}: folder cannot be created: {exc.strerror or exc}") from None
        migrations = load_migrations()
        with schema_lock(self.path, BUSY_TIMEOUT_MS / 1000):
            check_database_file(self.path)
            try:
                self.conn = connect(self.path)
                self.db = Database(self.conn)
                migrations.apply(self.db)
            except sqlite3.Error as exc:
                conn = getattr(self, "conn", None)
                if conn is not None:
                    conn.close()
                raise DatabaseUnusable(f"{self.path}: cannot be opened or migrated: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

        A write SQLite cannot make (a full disk, an I/O error) is WriteFailed
        naming the real cause. SQLite may already have rolled the
        transaction back itself (it does on SQLITE_FULL), so the ROLLBACK
        here only runs when one is still open: an unconditional one used to
        replace the cause with "cannot rollback - no transaction is active".
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            if not getattr(exc, "sqlite_errorname", "").startswith(_WRITE_FAILURES):
                raise  # a bug or a lock, not the disk
            raise WriteFailed(f"writing to {self.path} failed: {exc}") from exc

    # -- the run ledger ---------------------------------------------------

    def start_run(self, source: str, target: str, listing_date: str | None = None) -> int:
        """Record a run as `running` before any work, so a kill leaves a trace."""
        with self.write_transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (source, target, started_at, status, pid, hostname, listing_date)"
                " VALUES (?, ?, ?, 'running', ?, ?, ?)",
                (source, target, utc_now(), os.getpid(), socket.gethostname(), listing_date),
            )
            return cursor.lastrowid

    def _update_run(self, conn: sqlite3.Connection, run_id: int, row: RunRow) -> None:
        fields = {"finished_at": utc_now(), **row.columns()}
        assignments = ", ".join(f"{name} = ?" for name in fields)
        conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*fields.values(), run_id))

    def finish_run(self, run_id: int, row: RunRow, *, record: FetchRecord | None = None) -> None:
        """Close a run that wrote no papers (failed, empty, not-modified, ...).

        `record` is what fetching learnt (HTTP validators, kept raw responses),
        written in the same transaction.
        """
        with self.write_transaction() as conn:
            from pipeline.store import fetch_record  # imports core: here, not at the top

            fetch_record.write(conn, run_id, record)
            self._update_run(conn, run_id, row)

    def add_run_note(self, run_id: int, note: str) -> None:
        """Append a note to a closed run's `error` column (why a paged day ended early, say)."""
        with self.write_transaction() as conn:
            conn.execute("UPDATE runs SET error = CASE WHEN error IS NULL OR error = '' THEN ? ELSE error || '; ' || ? END"
                         " WHERE id = ?", (note, note, run_id))

    def mark_interrupted_runs(self) -> int:
        """Runs still `running` whose process on this host is gone were killed mid-way."""
        host = socket.gethostname()
        rows = self.conn.execute(
            "SELECT id, pid, hostname FROM runs WHERE status = 'running'"
        ).fetchall()
        dead = [row["id"] for row in rows if row["hostname"] == host and not pid_alive(row["pid"])]
        if dead:
            with self.write_transaction() as conn:
                conn.executemany(
                    "UPDATE runs SET status = 'interrupted', finished_at = ?,"
                    " error = 'process ended before the run finished' WHERE id = ? AND status = 'running'",
                    [(utc_now(), run_id) for run_id in dead],
                )
        return len(dead)

    def run(self, run_id: int) -> dict[str, Any]:
        row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row) if row else {}

    # -- reading ----------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self.conn.execute(sql, params)]


def schema_sql(store: Store) -> str:
    """The database's schema as SQL, in a stable order, for `db/schema.sql`."""
    rows = store.conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, name"
    ).fetchall()
    header = "-- Generated by `paperfeed schema --write` from db/migrations.py. Do not edit.\n"
    return header + "".join(f"\n{row['sql'].strip()};\n" for row in rows)
