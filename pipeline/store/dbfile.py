"""Is this file a paperfeed database we can use? Asked before anything is written to it.

`--db notes.txt`, a truncated copy or a database written by a newer
paperfeed must end as one line naming the file and what is wrong, never as a
traceback, and never by "migrating" the file into something else: SQLite
would happily add our tables to any database, and an older paperfeed would
run its queries against a schema it does not know.

Opening and migrating happen under one writer lock (an `flock` on a file
beside the database): sixty processes opening a new database at the same
moment then migrate it once, one after the other, instead of racing each
other's plain BEGIN into `database is locked`.
"""

from __future__ import annotations

import errno
import functools
import importlib.util
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from pipeline.resources import shipped_path
from pipeline.statefile import lock_within, open_state_file

MIGRATIONS_TABLE = "_sqlite_migrations"
MIGRATION_SET = "paperfeed"
BUSY_TIMEOUT_S = 30.0


class DatabaseUnusable(Exception):
    """A --db file that is not, or no longer, a database this paperfeed can use; the message is one line."""


@functools.cache
def load_migrations() -> Migrations:
    """The shipped `db/migrations.py`, the one list of schema steps."""
    path = shipped_path("db") / "migrations.py"
    spec = importlib.util.spec_from_file_location("paperfeed_db_migrations", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrations


def known_migrations() -> list[str]:
    """Names of every migration this version ships, oldest first."""
    return [migration.name for migration in load_migrations().pending(Database(memory=True))]


def check_database_file(path: str | os.PathLike, *, thorough: bool = False) -> None:
    """Raise DatabaseUnusable when `path` is not a paperfeed database this version can open.

    A missing or empty file passes (it becomes a new database). Checked: a
    regular file, the SQLite header, a readable schema, and no migration
    newer than this version knows. `thorough` adds SQLite's integrity check,
    which reads every page (for `paperfeed doctor`, not for every open).
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DatabaseUnusable(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseUnusable(f"{path}: not a regular file")
    if info.st_size == 0:
        return
    # The file is only ever opened through SQLite: closing any other descriptor on it
    # would drop the POSIX locks SQLite holds on it for this process's other connections
    # (https://sqlite.org/howtocorrupt.html#_posix_advisory_locks_canceled_by_a_separate_thread_doing_close_).
    # Nothing here writes, so a text file passed as --db stays as it was.
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise DatabaseUnusable(f"{path}: cannot be opened: {exc}") from None
    try:
        applied = _applied_migrations(conn, path)
        if thorough:
            try:
                problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            except sqlite3.DatabaseError as exc:
                problems = [str(exc)]
            if problems != ["ok"]:
                raise DatabaseUnusable(f"{path}: damaged: {'; '.join(problems)}")
    finally:
        conn.close()
    known = set(known_migrations())
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise DatabaseUnusable(f"{path}: created by a newer paperfeed (migration {unknown[-1]});"
                               " upgrade paperfeed to use it")


def _applied_migrations(conn: sqlite3.Connection, path: Path) -> list[str]:
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if MIGRATIONS_TABLE not in tables:
            return []
        return [row[0] for row in conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", (MIGRATION_SET,))]
    except sqlite3.DatabaseError as exc:
        kind = getattr(exc, "sqlite_errorname", "")
        if kind == "SQLITE_NOTADB":
            raise DatabaseUnusable(f"{path}: not an SQLite database (a text file or another format?)") from None
        if kind.startswith("SQLITE_CORRUPT"):
            raise DatabaseUnusable(f"{path}: damaged or not a database: {exc}") from None
        raise DatabaseUnusable(f"{path}: cannot be read: {exc}{disk_full_hint(path)}") from None


def disk_full_hint(path: Path) -> str:
    """"; the disk holding it is full" when it is: SQLite reports that as a plain "disk I/O error"."""
    try:
        info = os.statvfs(path.parent)
    except OSError:
        return ""
    return "; the disk holding it is full" if info.f_bavail * info.f_frsize < 64 * 1024 else ""


def schema_lock_path(db_path: str | os.PathLike) -> Path:
    """`<db>.(schema).lock`: parentheses never appear in a source's lock name, so no source can share it."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.name}.(schema).lock")


@contextmanager
def schema_lock(db_path: str | os.PathLike, timeout_s: float) -> Iterator[None]:
    """Hold the database's schema lock while opening and migrating it.

    A folder we cannot create the lock file in (read-only media) is one no
    process can create or migrate a database in either, so then the open
    goes ahead unlocked and SQLite's own locking has the last word.
    """
    try:
        fd = open_state_file(schema_lock_path(db_path))
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            yield
            return
        raise DatabaseUnusable(f"{schema_lock_path(db_path)}: {exc.strerror or exc}") from None
    try:
        if not lock_within(fd, timeout_s):
            raise DatabaseUnusable(f"{db_path}: another process kept migrating it for over {timeout_s:g} s")
        yield
    finally:
        os.close(fd)
