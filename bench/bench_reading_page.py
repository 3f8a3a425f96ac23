"""The reading page (`/-/reading`) rendering a week of 5,000 new papers, against the bare SQL it runs.

    python bench/bench_reading_page.py [--papers 5000]

The papers read like real ones (real titles, abstracts of six real sentences, from the fixtures,
as in bench_search), each first seen on one of seven days with one sighting and upvotes, and
four tags with the words that fired (a modality, an anatomy, a task, medical-imaging), so the
page groups, chips and highlights as it would on a real week. The database is built through the
real schema in a temporary folder.

Measured: the whole page through Datasette in-process (its ASGI client, no socket): plugin
queries, cards, highlighting, grouping, the charts and the template, `limit=5000` so every
paper is a card. The floor: the page's own SQL on a bare connection (the period's papers with
their upvotes and sources, then their tag rows), fetched and thrown away. Target: under a
second on this machine; the ratio says what the Python and the template cost on top of SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from bench_search import real_texts
from harness import median, row

from pipeline.store import Store
from pipeline.store import browse as queries
from pipeline.store.browse import Period, ReadingFilter

DAYS = [f"2024-10-{d:02d}" for d in range(21, 28)]
TAGS = [("modality:mri", "magnetic resonance"), ("modality:ct", "CT"), ("modality:xray", "X-ray"),
        ("modality:ultrasound", "ultrasound"), ("modality:pet", "PET")]
ANATOMY = [("anatomy:brain", "brain"), ("anatomy:chest", "chest"), ("anatomy:liver", "liver")]
TASKS = [("task:segmentation", "segmentation"), ("task:classification", "classification"),
         ("task:detection", "detection")]
REPEAT = 5


def build(path: Path, papers: int, seed: int = 11) -> None:
    titles, sentences = real_texts()
    rng = random.Random(seed)
    Store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for n in range(papers):
        key = f"arxiv:2410.{n + 10000:05d}"
        day = DAYS[n % len(DAYS)]
        authors = json.dumps([f"Author {rng.randrange(50000)}" for _ in range(rng.randrange(1, 9))])
        conn.execute("INSERT INTO papers (id, arxiv_id, title, abstract, authors, published_at, first_seen_at,"
                     " last_seen_at, arxiv_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (key, key[6:], rng.choice(titles), " ".join(rng.choices(sentences, k=6)), authors, day, day,
                      day, f"https://arxiv.org/abs/{key[6:]}"))
        conn.execute("INSERT INTO sightings (paper_id, source, listing_date, upvotes) VALUES (?, 'hf-daily', ?, ?)",
                     (key, day, rng.randrange(60)))
        for tag, words in (rng.choice(TAGS), rng.choice(ANATOMY), rng.choice(TASKS), ("medical-imaging", "images")):
            conn.execute("INSERT INTO paper_tags (paper_id, tag, rule, field, matched, rules_version)"
                         " VALUES (?, ?, 'bench', 'title+abstract', ?, 'bench')", (key, tag, words))
    conn.execute("COMMIT")
    conn.close()


def page_ms(path: Path, url: str) -> tuple[list[float], int, int]:
    """Milliseconds per page over REPEAT loads (after one warm-up), the page's bytes and cards."""
    from datasette.app import Datasette

    async def measure():
        datasette = Datasette([str(path)])
        await datasette.invoke_startup()
        first = await datasette.client.get(url)
        assert first.status_code == 200, first.text[:500]
        found = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = await datasette.client.get(url)
            found.append((time.perf_counter() - started) * 1000)
        return found, len(response.content), response.text.count('<article class="card"')

    return asyncio.run(measure())


def floor_ms(path: Path, papers: int) -> list[float]:
    conn = sqlite3.connect(path)
    period = Period(DAYS[0], DAYS[-1], "bench")

    def bare() -> None:
        rows = queries.new_papers(conn, period, ReadingFilter(), papers)
        queries.tag_evidence(conn, [r["id"] for r in rows])

    bare()
    found = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        bare()
        found.append((time.perf_counter() - started) * 1000)
    conn.close()
    return found


def run(papers: int = 5000) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reading.db"
        build(path, papers)
        url = f"/-/reading?since={DAYS[0]}&until={DAYS[-1]}&limit={papers}"
        page, size, cards = page_ms(path, url)
        floor = floor_ms(path, papers)
    ratio = median(page) / median(floor)
    return [row(f"reading page, {papers:,} papers in a week", round(median(page)), "ms median", "<= 1000 ms",
                round(ratio, 1), median(page) <= 1000,
                f"{cards:,} cards, {size / 1e6:.1f} MB of HTML; floor {median(floor):.0f} ms (the page's SQL:"
                " papers of the period with upvotes and sources, then their tags)",
                why="the page renders every card in Python and Jinja; the floor is only its SQL")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=5000)
    args = parser.parse_args()
    for figure in run(args.papers):
        print(f"{figure['name']}: {figure['value']} {figure['unit']} (target {figure['target']});"
              f" {figure['ratio']}x floor; {figure['note']}")


if __name__ == "__main__":
    main()
