"""Writing one listing: papers, sightings and tags, merged and matched by identity.

`Store` mixes this in, so a listing is written on the store's connection
inside the transaction that also closes its run. Each record is resolved to
a paper through any of its identifiers (`identity`), merged with what is
stored by the precedence rules of `pipeline.identity.merge`, and only rows whose
values changed are written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pipeline.columns import COLUMN_NAMES, PAPER_COLUMNS as COLUMNS
from pipeline import reader_facts
from pipeline.identity.merge import claims_for, merge_paper, source_family
from pipeline.model import PaperRecord, RunRow
from pipeline.store import bibliographic, identity
from pipeline.store.fts_write import ListingIndex

if TYPE_CHECKING:
    from pipeline.store.fetch_record import FetchRecord

PAPER_COLUMNS = COLUMN_NAMES  # declared, with their merge rules, in pipeline.columns

# A tagger maps (title, abstract) to tag matches with .tag/.rule/.field/.matched.
Tagger = Callable[[str, str | None], Sequence[Any]]


@dataclass
class SaveCounts:
    papers_new: int = 0
    papers_updated: int = 0
    papers_tagged: int = 0
    sightings_written: int = 0
    notes: list[str] = field(default_factory=list)


def paper_row(record: PaperRecord, key: str, seen_day: str, origin: str | None = None) -> dict[str, Any]:
    """The `papers` row a record would make on its own; `origin` is the listing's format."""
    row: dict[str, Any] = {"id": key, "first_seen_at": seen_day, "last_seen_at": seen_day}
    for column in COLUMNS:
        if column.from_record:
            value = getattr(record, column.name)
            row[column.name] = _json_array(value) if column.json else value
    row["first_listed_at"] = first_listed_day(record, seen_day)
    row["code_url"] = reader_facts.code_url(record)
    row["venue"] = reader_facts.venue(record)
    version = record.arxiv_version if record.arxiv_id else record.preprint_version
    row["provenance"] = claims_for(row, source_family(origin), version)
    return row


def _json_array(values: tuple) -> str:
    """A tuple field as its JSON column: pairs (author, ORCID) become two-element arrays."""
    return json.dumps([list(v) if isinstance(v, tuple) else v for v in values], ensure_ascii=False)


def first_listed_day(record: PaperRecord, seen_day: str) -> str | None:
    """The day this sighting makes the paper new: the listing's day, or for an undated
    listing (a search) the paper's publication day, never the day the search was read."""
    if not record.listed_undated:
        return seen_day
    published = (record.published_at or "")[:10]
    return published if published and published <= seen_day else None


class ListingWriter:
    """The listing-writing half of `Store` (needs `self.conn`, `self.write_transaction`, `self._update_run`)."""


    def save_listing(
        self,
        run_id: int,
        source: str,
        entries: Iterable[PaperRecord],
        *,
        run_row: RunRow,
        tagger: Tagger | None = None,
        rules_version: str | None = None,
        origin: str | None = None,
        record: FetchRecord | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> SaveCounts:
        """Write one listing and close its run, all in one transaction.

        Each record is matched against what is written so far, earlier records
        of the same listing included (two versions of one preprint on one page
        are one paper); see `identity`. `origin` is the listing's format, which
        decides the source precedence of its values (see `pipeline.identity.merge`).
        `record` is written alongside, as in `finish_run` (the HTTP cache, raw responses).
        `progress` is told of each record written (a bar over a large file's entries).
        """
        counts = SaveCounts()
        with self.write_transaction() as conn:
            from pipeline.store import fetch_record  # imports core: here, not at the top

            fetch_record.write(conn, run_id, record)
            index = ListingIndex(conn)
            listed: dict[str, None] = {}
            retag: dict[str, None] = {}
            sighted: set[tuple[str, str]] = set()
            for record in entries:
                if progress is not None:
                    progress(1)
                resolution = identity.resolve(conn, record)
                if resolution is None:
                    continue
                counts.notes += resolution.notes
                if self._save_paper(conn, record, resolution, origin, counts, index):
                    retag[resolution.paper_id] = None
                identity.register(conn, resolution)
                bibliographic.save_terms(conn, resolution.paper_id, record)
                bibliographic.save_relations(conn, resolution.paper_id, record)
                listed[resolution.paper_id] = None
                if (resolution.paper_id, record.listing_date) not in sighted:
                    sighted.add((resolution.paper_id, record.listing_date))
                    counts.sightings_written += self._save_sighting(conn, run_id, source, resolution.paper_id, record)
            index.flush()
            keys = self._still_stored(conn, list(listed))
            if tagger is not None:
                self._save_tags(conn, [self._stored_paper(conn, k) for k in self._still_stored(conn, list(retag))],
                                tagger, rules_version or "")
                counts.papers_tagged = self._count_tagged(conn, keys)
            if counts.notes:
                run_row = replace(run_row, error="; ".join(filter(None, [run_row.error, *_capped(counts.notes)])))
            self._update_run(conn, run_id, replace(run_row, papers_new=counts.papers_new,
                                                   papers_updated=counts.papers_updated,
                                                   papers_tagged=counts.papers_tagged))
        return counts

    def _save_paper(self, conn: sqlite3.Connection, record: PaperRecord, resolution: identity.Resolution,
                    origin: str | None, counts: SaveCounts, index: ListingIndex) -> bool:
        """Insert, update or merge the paper row(s); True when its title or abstract changed (retag)."""
        key = resolution.paper_id
        incoming = paper_row(record, key, record.listing_date, origin)
        stored = [self._stored_paper(conn, pid) for pid in resolution.existing]
        if not stored:
            index.inserted(conn.execute(_INSERT_PAPER, [incoming[c] for c in PAPER_COLUMNS]).lastrowid)
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
            index.inserted(conn.execute(_INSERT_PAPER, [merged[c] for c in PAPER_COLUMNS]).lastrowid)
        elif merged != previous:
            index.before_change(key, previous, merged)
            conn.execute(_UPDATE_PAPER, [merged[c] for c in PAPER_COLUMNS[1:]] + [key])
        for old in stored:
            if old["id"] != key:  # re-keyed or merged into another row
                identity.move_references(conn, old["id"], key)
                index.before_change(old["id"])
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
        from pipeline.store.tags import remember_tagged, text_hash  # tags imports this module

        for row in rows:
            self.replace_tags(conn, row["id"], tagger(row["title"], row["abstract"]), rules_version)
        remember_tagged(conn, [(row["id"], text_hash(row["title"], row["abstract"])) for row in rows], rules_version)

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


def _capped(notes: list[str], limit: int = 5) -> list[str]:
    """Run errors stay one readable line: the first few notes and a count of the rest."""
    return notes[:limit] + ([f"and {len(notes) - limit} more"] if len(notes) > limit else [])


def _paper_content_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A paper is 'updated' when something other than its seen-dates changed."""
    return any(old[c] != new[c] for c in PAPER_COLUMNS if c not in ("first_seen_at", "last_seen_at", "first_listed_at", "provenance"))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_INSERT_PAPER = f"INSERT INTO papers ({', '.join(PAPER_COLUMNS)}) VALUES ({', '.join('?' * len(PAPER_COLUMNS))})"
_UPDATE_PAPER = f"UPDATE papers SET {', '.join(f'{c} = ?' for c in PAPER_COLUMNS[1:])} WHERE id = ?"
