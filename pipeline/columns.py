"""Every field of a paper, declared once: stored column, merge rule, read side, CSV.

`PAPER_COLUMNS` are the `papers` table's columns. Each names its merge rule
(how two values of one paper combine, see `pipeline.identity.merge.RULES`),
whether a `PaperRecord` fills it (`from_record`) and how it is stored
(`json`: a tuple becomes a JSON array), and whether it is part of what a reader
gets back (`read`: the `Paper` type, exports). `DERIVED` are read fields
computed from other tables (sightings, tags) or by a search.

A column that is not a `PaperRecord` field as it is (`from_record=False`) is
computed by `store.listings.paper_row`. Everything that lists paper fields
derives from these two tables: the
listing writer's INSERT and UPDATE, the merge, the reading query, the `Paper`
dataclass and the CSV columns. A column added by a migration but not
declared here, or declared without a known merge rule, fails
`tests/test_columns.py`, so a new column can no longer silently keep the
first value ever stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    """One column of `papers`.

    `read_type` is its type on the read side (`Paper`), None when readers do
    not get it; `csv` whether `paperfeed export --format csv` writes it.
    """

    name: str
    merge: str
    from_record: bool = True
    json: bool = False
    read_type: Any = None
    csv: bool = False


@dataclass(frozen=True)
class Derived:
    """A read field not stored in `papers`: `sql` computes it per paper `p` (None: filled in Python)."""

    name: str
    read_type: Any
    sql: str | None = None
    csv: bool = False
    default: Any = None


TEXT = str | None

# Read fields come out in this order (the `Paper` fields, the CSV columns, JSON keys).
PAPER_COLUMNS: tuple[Column, ...] = (
    Column("id", "key", from_record=False, read_type=str, csv=True),
    Column("arxiv_id", "max", read_type=TEXT, csv=True),
    Column("doi", "preprint-doi", read_type=TEXT, csv=True),
    Column("title", "claimed", read_type=str, csv=True),
    Column("authors", "claimed", json=True, read_type=tuple[str, ...], csv=True),
    Column("published_at", "earliest-day", read_type=TEXT, csv=True),
    Column("venue", "max", from_record=False, read_type=TEXT, csv=True),  # pipeline.reader_facts.venue
    Column("first_listed_at", "min", from_record=False, read_type=TEXT, csv=True),  # the day it became new
    Column("first_seen_at", "min", from_record=False, read_type=TEXT, csv=True),
    Column("last_seen_at", "max", from_record=False, read_type=TEXT, csv=True),
    Column("hf_url", "max", read_type=TEXT, csv=True),
    Column("arxiv_url", "max", read_type=TEXT, csv=True),
    Column("pdf_url", "claimed", read_type=TEXT, csv=True),
    Column("code_url", "listing-code-first", from_record=False, read_type=TEXT, csv=True),  # reader_facts.code_url
    Column("github_repo", "max", read_type=TEXT, csv=True),
    Column("project_page", "max", read_type=TEXT, csv=True),
    Column("abstract", "claimed", read_type=TEXT, csv=True),
    Column("journal", "max", read_type=TEXT),
    Column("categories", "claimed", json=True, read_type=tuple[str, ...]),
    Column("arxiv_version", "max"),
    Column("github_stars", "max"),
    Column("organization", "max"),
    Column("ai_keywords", "longest-list", json=True),
    Column("updated_at", "updated"),
    Column("preprint_version", "max"),
    Column("url", "claimed"),
    Column("provenance", "provenance", from_record=False),
    Column("pmid", "max"),
    Column("pmcid", "max"),
    Column("journal_abbrev", "max"),
    Column("issns", "longest-list", json=True),
    Column("work_type", "journal-type"),
    Column("orcids", "longest-list", json=True),
)

DERIVED: tuple[Derived, ...] = (
    Derived("upvotes", int | None, "(SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id)", csv=True),
    Derived("sources", tuple[str, ...],
            "(SELECT json_group_array(DISTINCT s.source) FROM sightings s WHERE s.paper_id = p.id)", csv=True,
            default=()),
    Derived("tags", tuple[str, ...], csv=True, default=()),
    Derived("matched", dict, default=None),  # tag -> the words behind it
    Derived("score", float | None),  # a search's rank (bm25, lower is better)
)

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in PAPER_COLUMNS)
READ_COLUMNS: tuple[Column, ...] = tuple(column for column in PAPER_COLUMNS if column.read_type is not None)


def read_fields() -> tuple[Column | Derived, ...]:
    """Every field a reader gets, in order: read columns, then derived ones, each group as declared."""
    return (*READ_COLUMNS, *DERIVED)


def csv_columns() -> tuple[str, ...]:
    """The CSV header: read fields marked `csv`, in the order of the declaration above."""
    order = {name: index for index, name in enumerate(COLUMN_NAMES)}
    marked = [field.name for field in read_fields() if field.csv]
    # Derived CSV fields sit after last_seen_at, where a reader of the file looks for them.
    anchor = order["last_seen_at"] + 0.5
    return tuple(sorted(marked, key=lambda name: (order.get(name, anchor), marked.index(name))))


def reading_select() -> str:
    """The SELECT list of a reading query over `papers p` (stored read fields, then computed ones)."""
    stored = [f"p.{column.name}" for column in READ_COLUMNS]
    computed = [f"{field.sql} AS {field.name}" for field in DERIVED if field.sql]
    return ", ".join((*stored, *computed))
