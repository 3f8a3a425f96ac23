"""Opening and migrating a paperfeed database, and writing listings and runs.

Every connection runs in WAL mode with a busy timeout, so readers (sqlite3,
Datasette, pandas) keep reading while a listing is written. A listing's
papers, sightings, tags and its run row are written in one transaction that
starts with BEGIN IMMEDIATE: a reader sees all of a listing or none of it, and
a process killed mid-way leaves nothing half-written. Rows are only written
when a value changed, so re-ingesting an unchanged listing writes nothing but
its run row.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipeline.merge import claims_for, merge_paper, source_family
from pipeline.record import PaperRecord
from pipeline.resources import shipped_path
from pipeline.store import identity

BUSY_TIMEOUT_MS = 30_000
PAPER_COLUMNS = (
    "id", "arxiv_id", "arxiv_version", "doi", "title", "abstract", "authors", "published_at",
    "hf_url", "arxiv_url", "pdf_url", "github_repo", "github_stars", "project_page",
    "organization", "ai_keywords", "categories", "first_seen_at", "last_seen_at",
    "updated_at", "preprint_version", "url", "provenance",
)  # fmt: skip
SIGHTING_COLUMNS = (
    "paper_id", "source", "listing_date", "rank", "upvotes", "comments", "submitter",
    "announce_type", "run_id",
)  # fmt: skip
RUN_FIELDS = {
    "finished_at", "status", "http_status", "bytes", "duration_s", "entries_parsed",
    "papers_new", "papers_updated", "papers_tagged", "error", "target", "source", "listing_date",
}  # fmt: skip

# A tagger maps (title, abstract) to tag matches with .tag/.rule/.field/.matched.
Tagger = Callable[[str, str | None], Sequence[Any]]


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SaveCounts:
    papers_new: int = 0
    papers_updated: int = 0
    papers_tagged: int = 0
    sightings_written: int = 0
    notes: list[str] = field(default_factory=list)


def connect(path: str | os.PathLike, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the settings every paperfeed connection needs."""
    if readonly:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.row_factory = sqlite3.Row
    return conn


def _load_migrations():
    path = shipped_path("db") / "migrations.py"
    spec = importlib.util.spec_from_file_location("paperfeed_db_migrations", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrations


def paper_row(record: PaperRecord, key: str, seen_day: str, origin: str | None = None) -> dict[str, Any]:
    """The `papers` row a record would make on its own; `origin` is the listing's format."""
    row = {
        "id": key,
        "arxiv_id": record.arxiv_id,
        "arxiv_version": record.arxiv_version,
        "doi": record.doi,
        "title": record.title,
        "abstract": record.abstract,
        "authors": json.dumps(list(record.authors), ensure_ascii=False),
        "published_at": record.published_at,
        "hf_url": record.hf_url,
        "arxiv_url": record.arxiv_url,
        "pdf_url": record.pdf_url,
        "github_repo": record.github_repo,
        "github_stars": record.github_stars,
        "project_page": record.project_page,
        "organization": record.organization,
        "ai_keywords": json.dumps(list(record.ai_keywords), ensure_ascii=False),
        "categories": json.dumps(list(record.categories), ensure_ascii=False),
        "first_seen_at": seen_day,
        "last_seen_at": seen_day,
        "updated_at": record.updated_at,
        "preprint_version": record.preprint_version,
        "url": record.url,
    }
    version = record.arxiv_version if record.arxiv_id else record.preprint_version
    row["provenance"] = claims_for(row, source_family(origin), version)
    return row


class Store:
    """A paperfeed database file, migrated to the current schema on open."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = connect(self.path)
        self.db = Database(self.conn)
        _load_migrations().apply(self.db)

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
                (source, target, utc_now(), os.getpid(), socket.gethostname(), listing_date),
            )
            return cursor.lastrowid

    def _update_run(self, conn: sqlite3.Connection, run_id: int, fields: dict[str, Any]) -> None:
        unknown = set(fields) - RUN_FIELDS
        if unknown:
            raise ValueError(f"unknown run fields: {sorted(unknown)}")
        fields = {"finished_at": utc_now(), **fields}
        assignments = ", ".join(f"{name} = ?" for name in fields)
        conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*fields.values(), run_id))

    def finish_run(self, run_id: int, *, also: Callable[[sqlite3.Connection], None] | None = None,
                   **fields: Any) -> None:
        """Close a run that wrote no papers (failed, empty, not-modified, ...).

        `also` writes what belongs with the run's outcome (HTTP validators,
        kept raw responses) in the same transaction.
        """
        with self.write_transaction() as conn:
            if also is not None:
                also(conn)
            self._update_run(conn, run_id, fields)

    def mark_interrupted_runs(self) -> int:
        """Runs still `running` whose process on this host is gone were killed mid-way."""
        host = socket.gethostname()
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

    # -- papers, sightings, tags ---------------------------------------------

    def save_listing(
        self,
        run_id: int,
        source: str,
        entries: Iterable[PaperRecord],
        *,
        run_fields: dict[str, Any],
        tagger: Tagger | None = None,
        rules_version: str | None = None,
        origin: str | None = None,
        also: Callable[[sqlite3.Connection], None] | None = None,
    ) -> SaveCounts:
        """Write one listing and close its run, all in one transaction.

        Each record is matched against what is written so far, earlier records
        of the same listing included (two versions of one preprint on one page
        are one paper); see `identity`. `origin` is the listing's format, which
        decides the source precedence of its values (see `pipeline.merge`).
        `also` writes alongside, as in `finish_run` (the HTTP cache, raw responses).
        """
        counts = SaveCounts()
        with self.write_transaction() as conn:
            if also is not None:
                also(conn)
            listed: dict[str, None] = {}
            retag: dict[str, None] = {}
            sighted: set[tuple[str, str]] = set()
            for record in entries:
                resolution = identity.resolve(conn, record)
                if resolution is None:
                    continue
                counts.notes += resolution.notes
                if self._save_paper(conn, record, resolution, origin, counts):
                    retag[resolution.paper_id] = None
                identity.register(conn, resolution)
                listed[resolution.paper_id] = None
                if (resolution.paper_id, record.listing_date) not in sighted:
                    sighted.add((resolution.paper_id, record.listing_date))
                    counts.sightings_written += self._save_sighting(conn, run_id, source, resolution.paper_id, record)
            keys = self._still_stored(conn, list(listed))
            if tagger is not None:
                self._save_tags(conn, [self._stored_paper(conn, k) for k in self._still_stored(conn, list(retag))],
                                tagger, rules_version or "")
                counts.papers_tagged = self._count_tagged(conn, keys)
            if counts.notes:
                run_fields = {**run_fields, "error": "; ".join(filter(None, [run_fields.get("error"), *_capped(counts.notes)]))}
            self._update_run(
                conn,
                run_id,
                {
                    **run_fields,
                    "papers_new": counts.papers_new,
                    "papers_updated": counts.papers_updated,
                    "papers_tagged": counts.papers_tagged,
                },
            )
        return counts

    def _save_paper(self, conn: sqlite3.Connection, record: PaperRecord, resolution: identity.Resolution,
                    origin: str | None, counts: SaveCounts) -> bool:
        """Insert, update or merge the paper row(s); True when its title or abstract changed (retag)."""
        key = resolution.paper_id
        incoming = paper_row(record, key, record.listing_date, origin)
        stored = [self._stored_paper(conn, pid) for pid in resolution.existing]
        if not stored:
            conn.execute(_INSERT_PAPER, [incoming[c] for c in PAPER_COLUMNS])
            counts.papers_new += 1
            return True
        if len(stored) == 1 and stored[0] == incoming:
            # The listing shows the paper exactly as stored (an unchanged re-ingest): merging a row
            # with itself gives the row back, so there is nothing to merge, write or retag.
            return False
        merged = incoming
        for old in stored:
            merged = merge_paper(old, merged)
        merged["id"] = key
        previous = next((old for old in stored if old["id"] == key), None)
        if previous is None:
            conn.execute(_INSERT_PAPER, [merged[c] for c in PAPER_COLUMNS])
        elif merged != previous:
            conn.execute(_UPDATE_PAPER, [merged[c] for c in PAPER_COLUMNS[1:]] + [key])
        for old in stored:
            if old["id"] != key:  # re-keyed or merged into another row
                identity.move_references(conn, old["id"], key)
                conn.execute("DELETE FROM papers WHERE id = ?", (old["id"],))
        rekeyed = previous is None or len(stored) > 1
        if rekeyed or _paper_content_changed(previous, merged):
            counts.papers_updated += 1
        return rekeyed or (merged["title"], merged["abstract"]) != (previous["title"], previous["abstract"])

    def _stored_paper(self, conn: sqlite3.Connection, key: str) -> dict[str, Any]:
        row = conn.execute("SELECT * FROM papers WHERE id = ?", (key,)).fetchone()
        return {c: row[c] for c in PAPER_COLUMNS}

    def _still_stored(self, conn: sqlite3.Connection, keys: list[str]) -> list[str]:
        """Keys of this listing that were not merged into another paper later in it."""
        found: set[str] = set()
        for chunk in _chunks(keys, 500):
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in conn.execute(f"SELECT id FROM papers WHERE id IN ({marks})", chunk))
        return [k for k in keys if k in found]

    def _save_sighting(self, conn: sqlite3.Connection, run_id: int, source: str, key: str,
                       record: PaperRecord) -> int:
        values = (record.rank, record.upvotes, record.comments, record.submitter, record.announce_type)
        row = conn.execute(
            "SELECT rank, upvotes, comments, submitter, announce_type FROM sightings"
            " WHERE paper_id = ? AND source = ? AND listing_date = ?",
            (key, source, record.listing_date),
        ).fetchone()
        if row is not None and tuple(row) == values:
            return 0
        conn.execute(
            "INSERT INTO sightings (paper_id, source, listing_date, rank, upvotes, comments,"
            " submitter, announce_type, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (paper_id, source, listing_date) DO UPDATE SET rank = excluded.rank,"
            " upvotes = excluded.upvotes, comments = excluded.comments,"
            " submitter = excluded.submitter, announce_type = excluded.announce_type,"
            " run_id = excluded.run_id",
            (key, source, record.listing_date, *values, run_id),
        )
        return 1

    def _save_tags(
        self, conn: sqlite3.Connection, rows: list[dict[str, Any]], tagger: Tagger, rules_version: str
    ) -> None:
        for row in rows:
            self.replace_tags(conn, row["id"], tagger(row["title"], row["abstract"]), rules_version)

    @staticmethod
    def replace_tags(conn: sqlite3.Connection, key: str, matches: Sequence[Any], rules_version: str) -> None:
        conn.execute("DELETE FROM paper_tags WHERE paper_id = ?", (key,))
        conn.executemany(
            "INSERT INTO paper_tags (paper_id, tag, rule, field, matched, rules_version)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(key, m.tag, m.rule, m.field, m.matched, rules_version) for m in matches],
        )

    def _count_tagged(self, conn: sqlite3.Connection, keys: list[str]) -> int:
        total = 0
        for chunk in _chunks(keys, 500):
            marks = ",".join("?" * len(chunk))
            total += conn.execute(
                f"SELECT count(DISTINCT paper_id) FROM paper_tags WHERE paper_id IN ({marks})", chunk
            ).fetchone()[0]
        return total

    # -- reading ----------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self.conn.execute(sql, params)]


def _capped(notes: list[str], limit: int = 5) -> list[str]:
    """Run errors stay one readable line: the first few notes and a count of the rest."""
    return notes[:limit] + ([f"and {len(notes) - limit} more"] if len(notes) > limit else [])


def _paper_content_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A paper is 'updated' when something other than its seen-dates changed."""
    return any(old[c] != new[c] for c in PAPER_COLUMNS if c not in ("first_seen_at", "last_seen_at", "provenance"))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


_INSERT_PAPER = f"INSERT INTO papers ({', '.join(PAPER_COLUMNS)}) VALUES ({', '.join('?' * len(PAPER_COLUMNS))})"
_UPDATE_PAPER = f"UPDATE papers SET {', '.join(f'{c} = ?' for c in PAPER_COLUMNS[1:])} WHERE id = ?"


def schema_sql(store: Store) -> str:
    """The database's schema as SQL, in a stable order, for `db/schema.sql`."""
    rows = store.conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, name"
    ).fetchall()
    header = "-- Generated by `paperfeed schema --write` from db/migrations.py. Do not edit.\n"
    return header + "".join(f"\n{row['sql'].strip()};\n" for row in rows)
