"""One paper, one row: finding the stored paper a record belongs to through any of its identifiers.

A paper may first appear with only a DOI (a journal feed), later with an
arXiv id and that DOI (arXiv's `arxiv:doi`), and a bioRxiv preprint may be
linked to its journal DOI. Every identifier ever seen for a paper is kept in
`identifiers` (scheme arxiv|doi|title, value) → paper, so a record is matched
through any of them; when a record's identifiers lead to two stored rows,
the rows are merged into one.

The canonical `papers.id` follows from the paper's identifiers alone, so it
does not depend on arrival order: its arXiv id (`arxiv:2407.21783`), else its
DOI (a preprint server's DOI before a journal's), else its title key
(`title:<folded title>|<first author's surname>`). A DOI-keyed row that
meets its arXiv id is re-keyed: its sightings, tags and identifiers move
(to every table with a foreign key to papers, so tables added later follow).

PubMed and Crossref add the schemes `pmid` and `pmcid`, and links between
versions of one work: a Crossref `relation` (`has-preprint`,
`is-preprint-of`), a bioRxiv `published` DOI, an arXiv DOI. Each link is an
identifier of the record that states it, so a preprint and its journal
version meet in one row in whichever order they arrive.

Never merged: two papers that each carry a different identifier of one
primary scheme (two arXiv ids, two preprint-server DOIs, two PMIDs). Each is
a paper of its own whatever else they share: two bioRxiv preprints that both
name one journal DOI stay two rows (the DOI stays with the first, both keep
their link in `paper_relations`), with a note in the run. Title keys are
weak: they match records that have no identifier at all, and they fold a
title-only row into a paper with real identifiers, but never join two
papers that both have one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from pipeline.identity.ids import normalize_pmcid, normalize_pmid, paper_id, parse_arxiv_id, title_key
from pipeline.identity.merge import PREPRINT_DOI_PREFIXES
from pipeline.model import PaperRecord
from pipeline.store.bibliographic import record_relations

Identifier = tuple[str, str]


@dataclass
class Resolution:
    """Where one record goes: the canonical id, the stored rows it joins, and why any were kept apart."""

    paper_id: str
    existing: list[str]
    identifiers: list[Identifier]
    notes: list[str] = field(default_factory=list)


def normalise_record(record: PaperRecord) -> None:
    """An arXiv DOI (`10.48550/arXiv.2407.21783`) is the arXiv id, not a DOI."""
    for name in ("doi", "published_doi"):
        value = getattr(record, name)
        if value and value.startswith("10.48550/"):
            found = parse_arxiv_id(value)
            if found and record.arxiv_id in (None, found[0]):
                record.arxiv_id = found[0]
                setattr(record, name, None)


def record_identifiers(record: PaperRecord) -> tuple[list[Identifier], Identifier | None]:
    """(strong identifiers in priority order: the record's own, then the versions it links; the weak title key)."""
    strong: list[Identifier] = []
    candidates = [("arxiv", record.arxiv_id), ("doi", record.doi), ("pmid", normalize_pmid(record.pmid)),
                  ("pmcid", normalize_pmcid(record.pmcid))]
    candidates += [(scheme, value) for _, scheme, value in record_relations(record)]
    for identifier in candidates:
        if identifier[1] and identifier not in strong:
            strong.append(identifier)
    key = title_key(record.title, record.authors[0] if record.authors else None)
    return strong, ("title", key) if key else None


def primary_identifiers(identifiers: list[Identifier]) -> dict[str, set[str]]:
    """The identifiers of schemes a paper has only one of: arXiv id, preprint-server DOI, PMID."""
    primary: dict[str, set[str]] = {}
    for scheme, value in identifiers:
        if scheme in ("arxiv", "pmid"):
            primary.setdefault(scheme, set()).add(value)
        elif scheme == "doi" and value.startswith(PREPRINT_DOI_PREFIXES):
            primary.setdefault("preprint-doi", set()).add(value)
    return primary


def _conflict(mine: dict[str, set[str]], theirs: dict[str, set[str]]) -> str | None:
    """The first scheme in which the two sides hold different identifiers."""
    for scheme, values in mine.items():
        if scheme in theirs and theirs[scheme] != values:
            return scheme
    return None


def _own_primary(record: PaperRecord) -> dict[str, set[str]]:
    """Primary identifiers the record states for itself, not those of versions it links."""
    own = [("arxiv", record.arxiv_id), ("doi", record.doi), ("pmid", normalize_pmid(record.pmid))]
    return primary_identifiers([i for i in own if i[1]])


def canonical_id(identifiers: list[Identifier]) -> str:
    """The key `ids.paper_id` gives the best identifier of each scheme (a preprint DOI before a journal's)."""
    by_scheme: dict[str, list[str]] = {}
    for scheme, value in identifiers:
        by_scheme.setdefault(scheme, []).append(value)
    arxiv, dois, titles = by_scheme.get("arxiv"), by_scheme.get("doi"), by_scheme.get("title")
    pmids, pmcids = by_scheme.get("pmid"), by_scheme.get("pmcid")
    return paper_id(
        min(arxiv) if arxiv else None,
        min(dois, key=lambda d: (not d.startswith(PREPRINT_DOI_PREFIXES), d)) if dois else None,
        min(titles) if titles else None,
        pmid=min(pmids, key=lambda p: (len(p), p)) if pmids else None,
        pmcid=min(pmcids) if pmcids else None,
    )


def _owner(conn: sqlite3.Connection, identifier: Identifier) -> str | None:
    # Joined to papers so an identifier whose paper was deleted by hand is simply not found.
    row = conn.execute(
        "SELECT i.paper_id FROM identifiers i JOIN papers p ON p.id = i.paper_id WHERE i.scheme = ? AND i.value = ?",
        identifier,
    ).fetchone()
    return row[0] if row else None


def _identifiers_of(conn: sqlite3.Connection, paper_id: str) -> list[Identifier]:
    rows = conn.execute("SELECT scheme, value FROM identifiers WHERE paper_id = ?", (paper_id,)).fetchall()
    scheme, _, value = paper_id.partition(":")
    return [tuple(row) for row in rows] + [(scheme, value)]


def resolve(conn: sqlite3.Connection, record: PaperRecord) -> Resolution | None:
    """The paper this record belongs to; None for a record with no identifier and no title."""
    normalise_record(record)
    strong, weak = record_identifiers(record)
    if not strong and weak is None:
        return None
    primary = _own_primary(record)
    accepted: list[str] = []
    refused: set[Identifier] = set()
    notes: list[str] = []

    def consider(identifier: Identifier, owner: str) -> None:
        theirs = primary_identifiers(_identifiers_of(conn, owner))
        scheme = _conflict(primary, theirs) or _conflict(theirs, primary)
        if scheme:
            refused.add(identifier)
            mine = ", ".join(sorted(primary.get(scheme, ())))
            notes.append(f"{identifier[0]} {identifier[1]} already belongs to {owner}; {scheme} {mine} kept apart")
            return
        for name, values in theirs.items():
            primary.setdefault(name, set()).update(values)
        accepted.append(owner)

    for identifier in strong:
        owner = _owner(conn, identifier)
        if owner and owner not in accepted:
            consider(identifier, owner)
    if weak:
        owner = _owner(conn, weak)
        # A title key joins papers only when one side has nothing better to go by.
        if owner and owner not in accepted and (not strong or owner.startswith("title:")):
            consider(weak, owner)
    # Identifiers that stay with another paper must not name this one.
    mine = [i for i in strong if i not in refused]
    known = list(mine) + ([weak] if weak and not strong else [])
    for owner in accepted:
        known += _identifiers_of(conn, owner)
    strong_known = [i for i in known if i[0] != "title"]
    paper_id = canonical_id(strong_known or known or ([weak] if weak else []))
    own = strong + ([weak] if weak else [])
    return Resolution(paper_id, accepted, own, notes)


def register(conn: sqlite3.Connection, resolution: Resolution) -> None:
    """Record the record's identifiers for its paper; one already owned elsewhere stays there
    (unless that paper no longer exists)."""
    conn.executemany(
        "INSERT INTO identifiers (scheme, value, paper_id) VALUES (?, ?, ?)"
        " ON CONFLICT (scheme, value) DO UPDATE SET paper_id = excluded.paper_id"
        " WHERE identifiers.paper_id NOT IN (SELECT id FROM papers)",
        [(scheme, value, resolution.paper_id) for scheme, value in resolution.identifiers],
    )


def _references(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to papers(id)."""
    found = []
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    for (table,) in tables.fetchall():
        for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
            if fk["table"] == "papers":
                found.append((table, fk["from"]))
    return found


def move_references(conn: sqlite3.Connection, old_id: str, new_id: str) -> None:
    """Point everything that refers to `old_id` at `new_id`; a row that would
    duplicate one the new paper already has (same sighting day, same tag) is dropped."""
    for table, column in _references(conn):
        conn.execute(f'UPDATE OR IGNORE "{table}" SET "{column}" = ? WHERE "{column}" = ?', (new_id, old_id))
        conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (old_id,))
