"""`paperfeed search` on a big database, against the bare FTS5 query on the same index.

    python bench/bench_search.py [--papers 1000000] [--db /tmp/paperfeed-bench-search-1000000.db]

The papers are synthetic but read like real ones: each abstract is six
sentences drawn from the real abstracts in `fixtures/` (the tagging devset,
the arXiv feed, the Hugging Face items) and each title a real title, so word
frequencies follow real text: "model" is in most papers, "results" in a
third, "magnetic resonance" in under 1% and "retinal AND tumor" in a few
hundred per million. The database is built once per size through the real
schema (the full-text triggers do the indexing; minutes for a million
papers on 2 cores) and kept under /tmp for later runs.

Each query runs through `pipeline.store.reading.search` (ranked, and
`--order recent`), and as the floor: the very statements that search ran
(captured with SQLite's trace callback, parameters bound), executed bare with
`fetchall()` on the same connection, the two alternating (A B A B ...).
Ranked queries must stay within 1.5x of their floor; `--order recent`, the
mode that keeps common words fast, must take a tenth of the ranked floor or less.

A command is a whole process, so `paperfeed search` is also timed as one
(`python -m pipeline --db ... search ...`, output discarded) against a bare
`python -c` process that opens the database with sqlite3 and runs the same
statements: start-up and imports count, as they do for whoever types it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from harness import ROOT, interleaved, median, percentile, ratio_of, row, spread
from listings import ARXIV_ATOM, HF_FILES
from pipeline.formats import parse_any
from pipeline.store import Store
from pipeline.store.reading import search

QUERIES = [  # (label, FTS5 query); their match counts are measured and shown
    ("rare AND", "retinal AND tumor"),
    ("rare phrase", '"magnetic resonance"'),
    ("mid word", "mri"),
    ("common word", "results"),
    ("very common word", "model"),
    ("very common OR", "learning OR data"),
]
RECENT = ["results", "model"]
PROCESS_QUERIES = [("rare AND", "retinal AND tumor"), ("very common word", "model")]
REPEAT = 7
PROCESS_ROUNDS = 7
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def real_texts() -> tuple[list[str], list[str]]:
    """(titles, sentences) of every real abstract in the fixtures."""
    papers = [json.loads(line) for line in (ROOT / "fixtures/tagging/devset.jsonl").read_text().splitlines()]
    pairs = [(p["title"], p.get("abstract") or "") for p in papers]
    for path in [ARXIV_ATOM, *HF_FILES]:
        pairs += [(e.title, e.abstract or "") for e in parse_any(path.read_bytes()).entries]
    sentences = [s for _, abstract in pairs for s in _SENTENCE.split(abstract) if len(s) > 30]
    return [title for title, _ in pairs], sentences


def build(path: Path, papers: int, seed: int = 7) -> float:
    """Fill a migrated database with `papers` papers, a sighting each and a tag on some; seconds taken."""
    started = time.monotonic()
    titles, sentences = real_texts()
    rng = random.Random(seed)
    Store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    batch = 20_000
    for first in range(0, papers, batch):
        rows = []
        for n in range(first, min(papers, first + batch)):
            day = f"2024-{1 + n * 12 // papers:02d}-{1 + n % 28:02d}"
            abstract = " ".join(rng.choices(sentences, k=6))
            authors = json.dumps([f"Author {rng.randrange(50000)}", f"Author {rng.randrange(50000)}"])
            rows.append((f"arxiv:{24 + n // 1_080_000}{n // 90000 % 12 + 1:02d}.{n % 90000 + 10000:05d}",
                         rng.choice(titles), abstract, authors, day, day, day))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO papers (id, title, abstract, authors, published_at, first_seen_at,"
                         " last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("INSERT INTO sightings (paper_id, source, listing_date, upvotes) VALUES (?, 'hf-daily', ?, ?)",
                         [(r[0], r[4], rng.randrange(50)) for r in rows])
        conn.execute("COMMIT")
    conn.execute("INSERT INTO paper_tags (paper_id, tag, rule, field, matched, rules_version)"
                 " SELECT p.id, 'medical-imaging', 'bench', 'abstract', 'segmentation', 'bench' FROM papers p"
                 " WHERE p.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'segmentation')")
    conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.monotonic() - started


def database(papers: int, path: Path | None = None) -> tuple[Path, str]:
    path = path or Path(f"/tmp/paperfeed-bench-search-{papers}.db")
    done = path.with_suffix(".built")  # written last, so a killed build is started over
    if path.exists() and done.exists():
        return path, f"cached {path}"
    for stale in (path, done, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    seconds = build(path, papers)
    done.write_text(f"{seconds:.0f}\n")
    return path, f"built in {seconds:.0f} s"


def times(work, repeat: int = REPEAT) -> list[float]:
    work()  # warm the page cache
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        found.append((time.perf_counter() - started) * 1000)
    return found


def statements_of(store: Store, query: str, order: str) -> list[str]:
    """The SQL `search` runs for this query, parameters bound (BEGIN/COMMIT left out)."""
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        search(store, query, order=order)
    finally:
        store.conn.set_trace_callback(None)
    # FTS5's own statements on its shadow tables are traced too (nested ones start with "--"): not ours to repeat.
    own = [sql for sql in seen if not sql.startswith(("--", "PRAGMA 'main'")) and "'papers_fts_" not in sql]
    return [sql for sql in own if sql.strip().upper() not in ("BEGIN", "COMMIT")]


def run(papers: int = 1_000_000, path: Path | None = None) -> list[dict]:
    path, how = database(papers, path)
    rows = []
    with Store(path) as store:
        conn = store.conn
        stored = conn.execute("SELECT count(*) FROM papers").fetchone()[0]

        def bare(statements: list[str]) -> None:
            conn.execute("BEGIN")
            for sql in statements:
                conn.execute(sql).fetchall()
            conn.execute("COMMIT")

        ranked_floor: dict[str, float] = {}
        cases = [(label, q, "rank") for label, q in QUERIES] + [(f"{q}, --order recent", q, "recent") for q in RECENT]
        for label, query, order in cases:
            hits = conn.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (query,)).fetchone()[0]
            statements = statements_of(store, query, order)
            timings = interleaved(REPEAT, {"real": lambda: search(store, query, order=order),
                                           "floor": lambda: bare(statements)})
            real = [s * 1000 for s in timings["real"]]
            floor = [s * 1000 for s in timings["floor"]]
            counted = f"{hits:,} of {stored:,} match ({hits / stored:.1%}); p95 {percentile(real, 0.95):.1f} ms"
            if order == "rank":
                ranked_floor[query] = min(floor)
                ratio = ratio_of(real, floor)
                rows.append(row(f"search {label}", round(min(real), 1), "ms", "<= 1.5x floor",
                                ratio, ratio <= 1.5,
                                f"{counted}; floor {spread(floor, digits=1)} ms (the same {len(statements)} statements,"
                                f" bare)", rounds=spread(real, digits=1),
                                why=f"search builds a dict per paper (authors and sources decoded from JSON, tags"
                                    f" attached) after the statements ran: {min(real) - min(floor):.1f} ms"))
            else:
                ratio = round(min(real) / ranked_floor[query], 2)
                rows.append(row(f"search {label}", round(min(real), 1), "ms", "<= 0.1x ranked floor",
                                ratio, ratio <= 0.1,
                                f"{counted}; ratio to the bare ranked statements for the same words"
                                f" ({ranked_floor[query]:.1f} ms); its own statements bare take {spread(floor)} ms",
                                rounds=spread(real, digits=1)))
        process_cases = [(label, query, statements_of(store, query, "rank")) for label, query in PROCESS_QUERIES]
    for label, query, statements in process_cases:
        rows.append(process_row(path, label, query, statements))
    rows.append(help_row())
    rows[-1]["note"] += f"; database {how}"
    return rows


def help_row() -> dict:
    """`paperfeed --help` as a whole process, against a bare interpreter that only imports click."""
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True, "cwd": ROOT}
    timings = interleaved(PROCESS_ROUNDS, {
        "help": lambda: subprocess.run([sys.executable, "-m", "pipeline", "--help"], **quiet),
        "click": lambda: subprocess.run([sys.executable, "-c", "import click"], **quiet),
    })
    seconds = min(timings["help"])
    return row("`paperfeed --help`, whole process", round(seconds, 3), "s", "< 0.15 s", None, seconds < 0.15,
               f"{PROCESS_ROUNDS} interleaved rounds; a bare `python -c 'import click'` takes"
               f" {spread(timings['click'], digits=3)} s", rounds=spread(timings["help"], digits=3),
               why="the interpreter and click alone take most of it on this machine at this load")


def process_row(path: Path, label: str, query: str, statements: list[str]) -> dict:
    """`paperfeed search` as a whole process against a bare sqlite3 process running its statements
    (a script file, since the statements name the hits' ids)."""
    command = [sys.executable, "-m", "pipeline", "--db", str(path), "search", query]
    script = path.with_name(f"{path.stem}-bare-{label.replace(' ', '-')}.py")
    script.write_text("import sqlite3, sys\nconn = sqlite3.connect(sys.argv[1])\n"
                      f"for sql in {statements!r}:\n    conn.execute(sql).fetchall()\n")
    bare = [sys.executable, str(script), str(path)]

    def call(argv: list[str]) -> None:
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env={**os.environ, "PAPERFEED_SQLITE_WAL_CHECK": "off"})

    # Bytecode as an installed package has it (this machine may set PYTHONDONTWRITEBYTECODE), and a warm page cache.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pipeline"), str(ROOT / "db")], check=True,
                   stdout=subprocess.DEVNULL, env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    call(command)
    timings = interleaved(PROCESS_ROUNDS, {"paperfeed": lambda: call(command), "bare": lambda: call(bare)})
    mine = [s * 1000 for s in timings["paperfeed"]]
    floor = [s * 1000 for s in timings["bare"]]
    ratio = ratio_of(mine, floor)
    return row(f"`paperfeed search` {label}, whole process", round(min(mine)), "ms", "<= 1.5x floor", ratio,
               ratio <= 1.5, f"{PROCESS_ROUNDS} interleaved rounds; bare python -c with sqlite3 and the same"
               f" statements {spread(floor, digits=0)} ms", rounds=spread(mine, digits=0),
               why=f"start-up beyond a bare interpreter with sqlite3: click, the command module, the store and"
                   f" migration check cost {min(mine) - min(floor):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    for figure in run(papers=args.papers, path=args.db):
        print(figure)


if __name__ == "__main__":
    main()
