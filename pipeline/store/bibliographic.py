"""A paper's controlled terms (MeSH, keywords, publication types) and its links to other versions.

Both only grow: a term or link seen once stays with the paper, whichever
source showed it, so ingest order never changes the result. When rows of one
paper are merged, `identity.move_references` carries them along (they refer
to `papers(id)` like sightings and tags do).
"""

from __future__ import annotations

import sqlite3

from pipeline.model import PaperRecord


def save_terms(conn: sqlite3.Connection, key: str, record: PaperRecord) -> None:
    rows = [(key, "mesh", m.name, m.ui, int(m.major)) for m in record.mesh]
    rows += [(key, "keyword", k, "", 0) for k in record.keywords]
    rows += [(key, "publication-type", t, "", 0) for t in record.publication_types]
    if rows:
        conn.executemany(
            "INSERT INTO paper_terms (paper_id, vocabulary, term, code, major) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (paper_id, vocabulary, term) DO UPDATE SET major = max(major, excluded.major),"
            " code = CASE WHEN code = '' THEN excluded.code ELSE code END"
            " WHERE excluded.major > major OR (code = '' AND excluded.code != '')",
            rows,
        )


def record_relations(record: PaperRecord) -> list[tuple[str, str, str]]:
    """The record's links, with a preprint server's `published` DOI as `is-preprint-of`."""
    links = list(record.relations)
    if record.published_doi and ("is-preprint-of", "doi", record.published_doi) not in links:
        links.append(("is-preprint-of", "doi", record.published_doi))
    return links


def save_relations(conn: sqlite3.Connection, key: str, record: PaperRecord) -> None:
    links = record_relations(record)
    if links:
        conn.executemany(
            "INSERT OR IGNORE INTO paper_relations (paper_id, relation, scheme, value) VALUES (?, ?, ?, ?)",
            [(key, *link) for link in links],
        )
