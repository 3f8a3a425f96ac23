"""How fast `paperfeed search` answers on a big database of synthetic papers.

    python bench/search_big_db.py --papers 1000000 --db /tmp/bench-1m.db

Builds the database once (papers inserted through the real schema, so the FTS
triggers do the indexing), then times a rare phrase, a common word ranked by
bm25, the same word in `--order recent`, and a tag-filtered search. Nothing
here is asserted: it prints numbers to compare between versions.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from pathlib import Path

from pipeline.store import Store
from pipeline.store.reading import PaperFilter, search

COMMON = ["model", "learning", "data", "image", "network", "method", "results", "training"]
RARE = ["magnetic resonance", "cardiac", "segmentation", "ultrasound", "retina", "histopathology"]
FILLER = [f"w{n}" for n in range(20000)]


def build(path: Path, papers: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    batch = []
    started = time.monotonic()
    for n in range(papers):
        words = rng.choices(FILLER, k=90) + rng.sample(COMMON, 3)
        if rng.random() < 0.01:
            words += rng.sample(RARE, 2)
        rng.shuffle(words)
        day = f"2024-{1 + n * 12 // papers:02d}-{1 + n % 28:02d}"
        batch.append((f"arxiv:bench.{n}", " ".join(words[:10]), " ".join(words[10:]), '["A. Author", "B. Author"]', day, day))
        if len(batch) == 10000:
            conn.executemany("INSERT INTO papers (id, title, abstract, authors, first_seen_at, last_seen_at)"
                             " VALUES (?, ?, ?, ?, ?, ?)", batch)
            conn.commit()
            batch.clear()
    if batch:
        conn.executemany("INSERT INTO papers (id, title, abstract, authors, first_seen_at, last_seen_at)"
                         " VALUES (?, ?, ?, ?, ?, ?)", batch)
    conn.execute("INSERT INTO sightings (paper_id, source, listing_date, upvotes)"
                 " SELECT id, 'hf-daily', last_seen_at, rowid % 50 FROM papers")
    conn.execute("INSERT INTO paper_tags (paper_id, tag, rule, field, matched, rules_version)"
                 " SELECT id, 'medical-imaging', 'bench', 'abstract', 'cardiac', 'bench' FROM papers"
                 " WHERE rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'cardiac')")
    conn.commit()
    conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('optimize')")
    conn.commit()
    conn.close()
    print(f"built {papers} papers in {time.monotonic() - started:.1f}s ({path.stat().st_size / 1e6:.0f} MB)")


def timed(store: Store, label: str, query: str, **kwargs) -> None:
    best = float("inf")
    for _ in range(3):
        started = time.monotonic()
        hits = search(store, query, **kwargs)
        best = min(best, time.monotonic() - started)
    print(f"{label:<48} {best * 1000:8.1f} ms  ({len(hits)} shown)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/paperfeed-bench.db"))
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.papers)
    with Store(args.db) as store:
        total = store.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        common = store.conn.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'model'").fetchone()[0]
        print(f"{total} papers; 'model' matches {common}")
        timed(store, "rare phrase, rank", '"magnetic resonance" AND segmentation')
        timed(store, "common word, rank (bm25 over every match)", "model")
        timed(store, "common word, --order recent", "model", order="recent")
        timed(store, "common word AND common word, recent", "model AND data", order="recent")
        timed(store, "common word, --tag medical-imaging, rank", "model",
              selection=PaperFilter(tags=(("medical-imaging",),)))
        timed(store, "common word, --since (last month), recent", "model", order="recent",
              selection=PaperFilter(since="2024-12-01"))


if __name__ == "__main__":
    main()
