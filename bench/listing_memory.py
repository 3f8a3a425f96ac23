"""Peak resident memory of `ingest FILE` of one listing, measured inside the process that ingests it.

    python bench/listing_memory.py FILE [--json]

Run by `bench/bench_memory.py` as a child, so the figure is the ingest's
alone (the parent builds the file): VmHWM from /proc once the run is closed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from harness import feed  # noqa: E402
from pipeline.run.run import ingest_file  # noqa: E402


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pipe = feed(Path(folder) / "memory.db").pipeline()
        started = time.perf_counter()
        summary = ingest_file(pipe, args.file)
        seconds = time.perf_counter() - started
        papers = pipe.store.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        pipe.store.close()
    figures = {"peak_rss_mb": round(peak_rss_mb(), 1), "seconds": round(seconds, 1), "papers": papers,
               "status": summary.status}
    print(json.dumps(figures) if args.json else figures)


if __name__ == "__main__":
    main()
