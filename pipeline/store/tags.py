"""Re-applying tag rules to stored papers, and reading a paper's tags back.

Retagging walks the papers in id order, a chunk at a time, and writes only
the tags that differ from what is stored, so a second retag with the same
rules writes nothing and reports no change. It is meant to run over whole
databases after every rule edit, so the walk does as little per paper as it
can: plain tuples instead of row objects, one indexed read of a chunk's stored
tags, a comparison that is free for the many papers with no tags before and
after, and the changes of a chunk written with two `executemany` calls.
A paper tagged by the current rules version whose text has not changed since
(`tagged_text`, which a trigger clears when a paper's title or abstract
changes, whoever writes it) is not tagged again at all, nor even read: a
retag with unchanged rules is an indexed join over the papers.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.identity.ids import normalize_doi, normalize_pmcid, normalize_pmid, parse_arxiv_id
from pipeline.store.core import Store
from pipeline.store.listings import Tagger

CHUNK = 2000


@dataclass
class RetagReport:
    papers: int = 0
    papers_changed: int = 0
    added: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)


def retag(store: Store, tagger: Tagger, rules_version: str,
          progress: Callable[[int], None] | None = None) -> RetagReport:
    """Apply `tagger` to every stored paper whose text or rules changed since it was tagged;
    one transaction for the whole database."""
    report = RetagReport()
    last_id = ""
    with store.write_transaction() as conn:
        cursor = conn.cursor()
        cursor.row_factory = None  # tuples: the loop below runs once per stored paper
        while True:
            ids = cursor.execute("SELECT id FROM papers WHERE id > ? ORDER BY id LIMIT ?", (last_id, CHUNK)).fetchall()
            if not ids:
                break
            report.papers += len(ids)
            if progress:
                progress(len(ids))
            due = [(paper_id, title, abstract, text_hash(title, abstract)) for paper_id, title, abstract in cursor.execute(
                "SELECT p.id, p.title, p.abstract FROM papers p LEFT JOIN tagged_text t ON t.paper_id = p.id"
                " WHERE p.id > ? AND p.id <= ? AND (t.paper_id IS NULL OR t.rules_version IS NOT ?) ORDER BY p.id",
                (last_id, ids[-1][0], rules_version))]
            last_id = ids[-1][0]
            if not due:
                continue
            stored = _stored_tags(cursor, due[0][0], due[-1][0])
            changes = []
            for paper_id, title, abstract, _ in due:
                matches = tagger(title, abstract)
                old = stored.get(paper_id)
                if not matches:
                    if old is None:
                        continue
                    fresh = []
                else:
                    fresh = sorted([(m.tag, m.rule, m.field, m.matched) for m in matches])
                    if fresh == old:
                        continue
                changes.append((paper_id, fresh, old or []))
            _write_changes(cursor, changes, rules_version, report)
            remember_tagged(cursor, [(paper_id, digest) for paper_id, _, _, digest in due], rules_version)
        # Unchanged evidence now comes from these rules too.
        conn.execute("UPDATE paper_tags SET rules_version = ? WHERE rules_version != ?", (rules_version, rules_version))
    return report


def text_hash(title: str | None, abstract: str | None) -> str:
    """What a paper's tags are computed from, hashed: its title and abstract."""
    return hashlib.blake2b(f"{title or ''}\x00{abstract or ''}".encode(), digest_size=16).hexdigest()


def remember_tagged(conn: sqlite3.Connection | sqlite3.Cursor, tagged: list[tuple[str, str]], rules_version: str) -> None:
    """(paper id, text hash) pairs just tagged by `rules_version`."""
    conn.executemany("INSERT OR REPLACE INTO tagged_text (paper_id, text_hash, rules_version) VALUES (?, ?, ?)",
                     [(paper_id, digest, rules_version) for paper_id, digest in tagged])


def _stored_tags(cursor: sqlite3.Cursor, first_id: str, last_id: str) -> dict[str, list[tuple]]:
    """paper id -> its stored (tag, rule, field, matched) rows, ordered by tag like a sorted fresh list."""
    rows = cursor.execute(
        "SELECT paper_id, tag, rule, field, matched FROM paper_tags WHERE paper_id BETWEEN ? AND ?"
        " ORDER BY paper_id, tag",
        (first_id, last_id),
    ).fetchall()
    stored: dict[str, list[tuple]] = {}
    for row in rows:
        found = stored.get(row[0])
        if found is None:
            stored[row[0]] = [row[1:]]
        else:
            found.append(row[1:])
    return stored


def _write_changes(cursor: sqlite3.Cursor, changes: list[tuple[str, list, list]], rules_version: str,
                   report: RetagReport) -> None:
    if not changes:
        return
    cursor.executemany("DELETE FROM paper_tags WHERE paper_id = ?", [(paper_id,) for paper_id, _, _ in changes])
    cursor.executemany(
        "INSERT INTO paper_tags (paper_id, tag, rule, field, matched, rules_version) VALUES (?, ?, ?, ?, ?, ?)",
        [(paper_id, *row, rules_version) for paper_id, fresh, _ in changes for row in fresh],
    )
    for _, fresh, old in changes:
        fresh_tags, old_tags = {row[0] for row in fresh}, {row[0] for row in old}
        report.added.update(fresh_tags - old_tags)
        report.removed.update(old_tags - fresh_tags)
    report.papers_changed += len(changes)


def resolve_paper_id(store: Store, text: str) -> str | None:
    """A paper id, or any way people write a paper: `2407.21783v2`, `arXiv:2407.21783`, an arXiv abs/pdf
    URL, a DOI, `doi:` or a doi.org URL, a PMID or PMCID, each looked up in `identifiers`."""
    text = text.strip()
    row = store.conn.execute("SELECT id FROM papers WHERE id = ?", (text,)).fetchone()
    if row:
        return row["id"]
    arxiv = parse_arxiv_id(text)
    candidates = [("arxiv", arxiv[0] if arxiv else None), ("doi", normalize_doi(text)),
                  ("pmcid", normalize_pmcid(text)), ("pmid", normalize_pmid(text))]
    for scheme, value in candidates:
        if value is None:
            continue
        row = store.conn.execute("SELECT paper_id FROM identifiers WHERE scheme = ? AND value = ?",
                                 (scheme, value)).fetchone()
        if row:
            return row["paper_id"]
    # A database written before `identifiers` was filled for every paper still has the columns.
    row = store.conn.execute("SELECT id FROM papers WHERE arxiv_id = ? OR doi = ?",
                             (arxiv[0] if arxiv else None, normalize_doi(text))).fetchone()
    return row["id"] if row else None


def stored_tag_names(store: Store) -> list[str]:
    """Every tag a stored paper carries or a person labelled, whatever rules gave it."""
    return [row[0] for row in store.conn.execute("SELECT tag FROM paper_tags UNION SELECT tag FROM labels")]


def paper_with_tags(store: Store, paper_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    paper = store.query("SELECT id, title, abstract FROM papers WHERE id = ?", (paper_id,))[0]
    tags = store.query(
        "SELECT tag, rule, field, matched, rules_version FROM paper_tags WHERE paper_id = ? ORDER BY tag", (paper_id,)
    )
    return paper, tags
