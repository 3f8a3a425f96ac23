"""Re-applying tag rules to stored papers, and reading a paper's tags back.

Retagging walks the papers in id order, a chunk at a time, and writes only
the tags that differ from what is stored, so a second retag with the same
rules writes nothing and reports no change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.store.core import Store, Tagger

CHUNK = 2000


@dataclass
class RetagReport:
    papers: int = 0
    papers_changed: int = 0
    added: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)


def retag(store: Store, tagger: Tagger, rules_version: str,
          progress: Callable[[int], None] | None = None) -> RetagReport:
    """Apply `tagger` to every stored paper; one transaction for the whole database."""
    report = RetagReport()
    last_id = ""
    with store.write_transaction() as conn:
        while True:
            papers = conn.execute(
                "SELECT id, title, abstract FROM papers WHERE id > ? ORDER BY id LIMIT ?", (last_id, CHUNK)
            ).fetchall()
            if not papers:
                break
            stored: dict[str, dict[str, tuple]] = {}
            for row in conn.execute(
                "SELECT paper_id, tag, rule, field, matched FROM paper_tags WHERE paper_id BETWEEN ? AND ?",
                (papers[0]["id"], papers[-1]["id"]),
            ):
                stored.setdefault(row[0], {})[row[1]] = (row[2], row[3], row[4])
            for paper in papers:
                matches = tagger(paper["title"], paper["abstract"])
                fresh = {m.tag: (m.rule, m.field, m.matched) for m in matches}
                old = stored.get(paper["id"], {})
                if fresh != old:
                    Store.replace_tags(conn, paper["id"], matches, rules_version)
                    report.papers_changed += 1
                    report.added.update(set(fresh) - set(old))
                    report.removed.update(set(old) - set(fresh))
            report.papers += len(papers)
            last_id = papers[-1]["id"]
            if progress:
                progress(len(papers))
        # Unchanged evidence now comes from these rules too.
        conn.execute("UPDATE paper_tags SET rules_version = ? WHERE rules_version != ?", (rules_version, rules_version))
    return report


def resolve_paper_id(store: Store, text: str) -> str | None:
    """`2407.21783`, `arxiv:2407.21783` or a DOI to the stored paper's id."""
    for candidate in (text, f"arxiv:{text}", f"doi:{text.lower()}"):
        row = store.conn.execute("SELECT id FROM papers WHERE id = ?", (candidate,)).fetchone()
        if row:
            return row["id"]
    row = store.conn.execute("SELECT id FROM papers WHERE arxiv_id = ? OR doi = ?", (text, text.lower())).fetchone()
    return row["id"] if row else None


def paper_with_tags(store: Store, paper_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    paper = store.query("SELECT id, title FROM papers WHERE id = ?", (paper_id,))[0]
    tags = store.query(
        "SELECT tag, rule, field, matched, rules_version FROM paper_tags WHERE paper_id = ? ORDER BY tag", (paper_id,)
    )
    return paper, tags
