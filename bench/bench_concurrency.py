"""A reader querying every 10 ms while a big listing is ingested.

    python bench/bench_concurrency.py [--papers 10000]

The writer is this process ingesting the benchmark listing (`bench/listings.py`,
two files, each stored in one transaction) with the CLI's pipeline. The
reader is another process, as a user's `sqlite3` or `paperfeed search` would
be: every 10 ms it runs `search(..., order="recent")`, then a ranked
`search(...)` (bm25 over every match, the costlier kind), and counts the
papers. It reports the latencies of each kind, any error (`database is
locked` above all), and every paper count it saw, which must only ever be a
whole number of listings.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, feed as open_feed, percentile, row
from listings import write_listings

READER = r"""
import json, sqlite3, sys, time, select
sys.path.insert(0, sys.argv[2])
from pipeline.store import Store
from pipeline.store.reading import search
store = Store(sys.argv[1])
latencies, errors, counts = {"recent": [], "rank": []}, [], set()
print("ready", flush=True)
tick = time.perf_counter()
while not select.select([sys.stdin], [], [], 0)[0]:
    for order in ("recent", "rank"):
        started = time.perf_counter()
        try:
            search(store, "segmentation", order=order)
            counts.add(store.conn.execute("SELECT count(*) FROM papers").fetchone()[0])
            latencies[order].append((time.perf_counter() - started) * 1000)
        except sqlite3.Error as exc:
            errors.append(str(exc))
    tick += 0.010
    time.sleep(max(0.0, tick - time.perf_counter()))
print(json.dumps({"latencies": latencies, "errors": errors, "counts": sorted(counts)}), flush=True)
"""


def run(papers: int = 10_000) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        paths = write_listings(papers, folder)
        feed = open_feed(folder / "bench.db")
        reader = subprocess.Popen([sys.executable, "-c", READER, str(folder / "bench.db"), str(ROOT)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        reader.stdout.readline()  # ready
        time.sleep(0.2)
        started = time.perf_counter()
        summaries = [summary for path in paths for summary in feed.ingest(path)]
        seconds = time.perf_counter() - started
        time.sleep(0.2)
        output, _ = reader.communicate("stop\n", timeout=60)
        feed.close()
    if any(s.status != "ok" for s in summaries):
        raise RuntimeError("; ".join(s.line() for s in summaries))
    seen = json.loads(output)
    latencies, errors = seen["latencies"], seen["errors"]
    whole = {0, *(sum(s.entries_parsed for s in summaries[: n + 1]) for n in range(len(summaries)))}
    partial = [n for n in seen["counts"] if n not in whole]
    locked = [e for e in errors if "locked" in e or "busy" in e]
    return [
        row(f"reader during a {papers:,}-paper ingest, {label}: p95 latency",
            round(percentile(latencies[order], 0.95), 1), "ms", "no 'database is locked'", None,
            not errors and not partial,
            f"{len(latencies[order])} queries around {seconds:.1f} s of ingest; median"
            f" {percentile(latencies[order], 0.5):.1f} ms, max {max(latencies[order]):.1f} ms; {len(locked)}"
            f" locked/busy, {len(errors)} errors in all; paper counts seen {seen['counts']}"
            f" (partial listings: {partial or 'none'})")
        for order, label in (("recent", "search --order recent"), ("rank", "ranked search"))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    for figure in run(parser.parse_args().papers):
        print(figure)


if __name__ == "__main__":
    main()
