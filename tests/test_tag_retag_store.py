"""Retag at the store level: stale tags are replaced by exactly what the rules say, unchanged papers are not touched."""

from __future__ import annotations

import json

from conftest import FIXTURES

from pipeline.model import PaperRecord, RunRow
from pipeline.store import Store
from pipeline.store.tags import CHUNK, retag
from pipeline.tagging import load_rules

RULES = load_rules(FIXTURES.parent / "config" / "tags.toml")


def stored_rows(store: Store) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {}
    for row in store.conn.execute("SELECT paper_id, tag, rule, field, matched FROM paper_tags ORDER BY paper_id, tag"):
        rows.setdefault(row[0], []).append(tuple(row)[1:])
    return rows


def dev_store(path, copies: int) -> tuple[Store, dict[str, tuple[str, str | None]]]:
    """The dev set's real papers, `copies` times with distinct ids: more than one retag chunk."""
    papers = [json.loads(line) for line in (FIXTURES / "tagging" / "devset.jsonl").open(encoding="utf-8")]
    records, texts = [], {}
    for n in range(copies * len(papers)):
        paper = papers[n % len(papers)]
        arxiv_id = f"2501.{10000 + n}"
        records.append(PaperRecord(title=paper["title"], abstract=paper["abstract"], arxiv_id=arxiv_id,
                                   listing_date="2025-01-01", rank=n + 1))
        texts[f"arxiv:{arxiv_id}"] = (paper["title"], paper["abstract"])
    store = Store(path)
    run_id = store.start_run("test", "dev set")
    store.save_listing(run_id, "test", records, run_row=RunRow("ok"))
    return store, texts


def test_retag_replaces_stale_tags_with_what_the_rules_give_then_changes_nothing(tmp_path):
    store, texts = dev_store(tmp_path / "retag.db", copies=CHUNK // 193 + 2)  # spans two chunks
    with store.write_transaction() as conn:  # as if tagged by older rules: one stale row per paper
        conn.execute("INSERT INTO paper_tags (paper_id, tag, rule, field, matched, rules_version)"
                     " SELECT id, 'task:stale', 'old-rule', 'title', 'old words', 'old' FROM papers")
    first = retag(store, RULES.tag, RULES.version)
    assert first.papers == len(texts) and first.papers_changed == len(texts)
    assert first.removed["task:stale"] == len(texts) and first.added["medical-imaging"] > 0
    expected = {paper_id: sorted((m.tag, m.rule, m.field, m.matched) for m in RULES.tag(*text))
                for paper_id, text in texts.items()}
    assert stored_rows(store) == {paper_id: rows for paper_id, rows in expected.items() if rows}
    assert {row[0] for row in store.conn.execute("SELECT DISTINCT rules_version FROM paper_tags")} == {RULES.version}

    before = store.conn.total_changes
    second = retag(store, RULES.tag, RULES.version)
    assert second.papers == len(texts) and second.papers_changed == 0 and not second.added and not second.removed
    assert store.conn.total_changes == before  # not one row rewritten


def test_retag_rewrites_only_the_papers_whose_evidence_changed(tmp_path):
    store, texts = dev_store(tmp_path / "retag.db", copies=1)
    retag(store, RULES.tag, RULES.version)
    paper_id, (title, abstract) = next((pid, text) for pid, text in texts.items() if RULES.tag(*text))
    with store.write_transaction() as conn:
        conn.execute("UPDATE paper_tags SET matched = 'edited' WHERE paper_id = ? AND tag = 'medical-imaging'",
                     (paper_id,))
    before = store.conn.total_changes
    report = retag(store, RULES.tag, RULES.version)
    assert report.papers_changed == 1 and not report.added and not report.removed
    # Its rows deleted, then inserted, and what it was tagged from recorded again (the edit had forgotten it).
    assert store.conn.total_changes - before == 2 * len(RULES.tag(title, abstract)) + 1
    assert "edited" not in {row[3] for row in stored_rows(store)[paper_id]}


class CountingTagger:
    def __init__(self, tagger):
        self.tagger, self.calls = tagger, 0

    def __call__(self, title, abstract):
        self.calls += 1
        return self.tagger(title, abstract)


def test_a_retag_with_unchanged_rules_and_texts_tags_nothing_again(tmp_path):
    store, texts = dev_store(tmp_path / "skip.db", copies=2)
    retag(store, RULES.tag, RULES.version)
    counting = CountingTagger(RULES.tag)
    report = retag(store, counting, RULES.version)
    assert report.papers == len(texts) and report.papers_changed == 0 and counting.calls == 0


def test_a_changed_text_or_rules_version_is_tagged_again(tmp_path):
    store, texts = dev_store(tmp_path / "due.db", copies=1)
    retag(store, RULES.tag, RULES.version)
    paper_id = next(iter(texts))
    store.conn.execute("UPDATE papers SET abstract = abstract || ' Also MRI.' WHERE id = ?", (paper_id,))
    counting = CountingTagger(RULES.tag)
    retag(store, counting, RULES.version)
    assert counting.calls == 1
    counting = CountingTagger(RULES.tag)
    retag(store, counting, "next-rules")
    assert counting.calls == len(texts)
    assert retag(store, CountingTagger(RULES.tag), "next-rules").papers_changed == 0
