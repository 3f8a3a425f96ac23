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

import importlib.util
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pipeline.model import RunRow
from pipeline.resources import shipped_path
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


_MIGRATION_NAME_RE = re.compile(r"""@migrations\(name=["']([^"']+)["']""")


def _migrations_pending(conn: sqlite3.Connection) -> bool:
    """Whether any migration in db/migrations.py is not applied yet, read without importing it.

    Loading the migrations imports sqlite-utils (35 ms), which a database at the
    current schema, the usual case for every command, does not need.
    """
    wanted = set(_MIGRATION_NAME_RE.findall((shipped_path("db") / "migrations.py").read_text()))
    try:
        applied = {row[0] for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'paperfeed'")}
    except sqlite3.OperationalError:  # a new database: no ledger of migrations yet
        return True
    return not wanted or not wanted <= applied


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


def _load_migrations():
    path = shipped_path("db") / "migrations.py"
    spec = importlib.util.spec_from_file_location("paperfeed_db_migrations", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrations


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
            return
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = connect(self.path)
        if _migrations_pending(self.conn):
            from sqlite_utils import Database

            _load_migrations().apply(Database(self.conn))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- the run ledger ---------------------------------------------------

    def start_run(self, source: str, target: str, listing_date: str | None = None) -> int:
        """Record a run as `running` before any work, so a kill leaves a trace."""
        with self.write_transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (source, target, started_at, status, pid, hostname, listing_date)"
                " VALUES (?, ?, ?, 'running', ?, ?, ?)",
                (source, target, utc_now(), os.getpid(), _hostname(), listing_date),
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
        host = _hostname()
        rows = self.conn.execute(
            "SELECT id, pid, hostname FROM runs WHERE status = 'running'"
        ).fetchall()
        dead = [row["id"] for row in rows if row["hostname"] == host and not _pid_alive(row["pid"])]
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


def _hostname() -> str:
    """This machine's name, for the run ledger; socket is imported by the writers that need it only."""
    import socket

    return socket.gethostname()


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def schema_sql(store: Store) -> str:
    """The database's schema as SQL, in a stable order, for `db/schema.sql`."""
    rows = store.conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, name"
    ).fetchall()
    header = "-- Generated by `paperfeed schema --write` from db/migrations.py. Do not edit.\n"
    return header + "".join(f"\n{row['sql'].strip()};\n" for row in rows)
