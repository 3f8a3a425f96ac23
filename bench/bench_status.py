"""`paperfeed status` on a ledger of 1,000 runs and of 100,000, in interleaved rounds.

    python bench/bench_status.py [--runs 100000]

Two databases through the real schema, whose `runs` tables hold the same mix
(every configured source, oldest first, mostly ok with failed, empty,
not-modified and skipped runs among them) at two lengths. `status` is the
CLI command in process (`CliRunner`), so it does what a user's does: mark
interrupted runs, then assess every enabled source and the scheduler. The
ratio is the long ledger's best round to the short one's: flat is <= 1.2x.
For context, the long ledger again without the ledger indexes of migration
0012 (what status cost before them).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from harness import ROOT, interleaved, ratio_of, row, spread
from pipeline.cli import cli
from pipeline.config import load_config
from pipeline.store import Store

STATUSES = ["ok"] * 7 + ["failed", "empty", "not-modified", "skipped"]
LEDGER_INDEXES = ("idx_runs_source_id", "idx_runs_source_status_id", "idx_runs_running", "idx_runs_started_at")
ROUNDS = 5


def ledger(path: Path, runs: int) -> None:
    Store(path).close()
    sources = list(load_config(ROOT / "config").sources)
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    rows = []
    for n in range(runs):
        at = (start + timedelta(minutes=10 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append((sources[n % len(sources)], "bench", at, at, STATUSES[n % len(STATUSES)], 10, 1.0))
    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO runs (source, target, started_at, finished_at, status, entries_parsed,"
                         " duration_s) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def status(path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(path), "status"])
    if result.exit_code not in (0, 1) or result.exception and not isinstance(result.exception, SystemExit):
        raise RuntimeError(f"status failed: {result.output[-300:]}")


def run(runs: int = 100_000) -> list[dict]:
    short = max(1, runs // 100)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        small, large, bare = folder / "short.db", folder / "long.db", folder / "long-no-index.db"
        ledger(small, short)
        ledger(large, runs)
        shutil.copy(large, bare)
        with sqlite3.connect(bare) as conn:
            for name in LEDGER_INDEXES:
                conn.execute(f"DROP INDEX {name}")
        # The copy's migrations table says 0012 is applied, so opening it does not bring the indexes back.
        for path in (small, large):
            status(path)
        timings = interleaved(ROUNDS, {"short": lambda: status(small), "long": lambda: status(large)})
        before = interleaved(ROUNDS, {"short": lambda: status(small), "no index": lambda: status(bare)})
    ratio = ratio_of(timings["long"], timings["short"])
    return [
        row(f"`paperfeed status` at {runs:,} runs", round(min(timings["long"]) * 1000), "ms", "flat: <= 1.2x",
            ratio, ratio <= 1.2, f"ratio to the same at {short:,} runs ({spread(timings['short'], 1000, 0)} ms);"
            f" {ROUNDS} interleaved rounds", rounds=spread(timings["long"], 1000, 0),
            why="the fixed cost of the command (configuration, rules, scheduler lines) varies between rounds"),
        row(f"`paperfeed status` at {runs:,} runs without the ledger indexes (before)",
            round(min(before["no index"]) * 1000), "ms", "context", ratio_of(before["no index"], before["short"]),
            None, f"ratio to {short:,} runs with them", rounds=spread(before["no index"], 1000, 0)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    for figure in run(parser.parse_args().runs):
        print(figure)


if __name__ == "__main__":
    main()
