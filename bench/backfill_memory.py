"""Does a long backfill stay flat in memory? Walks DAYS days of an arXiv-API-like local server
(PER_DAY papers a day, pages of PAGE) and prints the process's resident memory as it goes.

    python bench/backfill_memory.py [DAYS] [PER_DAY] [PAGE] [--base-url URL] [--json]

With `--base-url` it reads from a server another process runs (see `serve`),
so the memory measured is the backfill's alone; `--json` ends with one line
of figures for `bench/bench_memory.py`. The pipeline is the CLI's (with the
tagger), and 127.0.0.1 is not paced.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from harness import feed as open_feed, serve_bodies  # noqa: E402
from pipeline.config import SourceConfig  # noqa: E402
from sources_helpers import api_page  # noqa: E402

SINCE = date(2024, 1, 1)


def serve(per_day: int) -> ThreadingHTTPServer:
    """A local arXiv API answering every day with `per_day` distinct papers, paged as asked."""

    def page(path: str) -> tuple[bytes, str]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        stamp = query["search_query"].split("submittedDate:[")[1][:8]
        start, size = int(query["start"]), int(query["max_results"])
        first = (date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:])) - SINCE).days * per_day
        serial = range(first + start, first + min(per_day, start + size))  # distinct papers on every day
        ids = [f"{24 + n // 1_080_000:02d}{n // 90000 % 12 + 1:02d}.{n % 90000 + 10000:05d}" for n in serial]
        body = api_page([(i, f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}T10:00:00Z") for i in ids], per_day, start, size)
        return body, "application/atom+xml"

    return serve_bodies(page)


def rss_mb() -> float:
    """Peak resident memory of this program. VmHWM belongs to the process image since exec; getrusage's
    maxrss would also count the parent's memory that a forked child shared before exec."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def walk(base_url: str, days: int, page: int, folder: Path, report) -> int:
    source = SourceConfig("bench", "arxiv-api", {"base_url": base_url, "categories": ["eess.IV"], "page_size": page})
    feed = open_feed(Path(folder) / "bench.db", source)
    for n, result in enumerate(feed.backfill("bench", SINCE, SINCE + timedelta(days=days - 1)), start=1):
        if result.status not in ("done", "skipped"):
            raise SystemExit(f"day {result.day}: {result.status}")
        report(n, feed)
    papers = feed.store.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    feed.close()
    return papers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("days", type=int, nargs="?", default=120)
    parser.add_argument("per_day", type=int, nargs="?", default=300)
    parser.add_argument("page", type=int, nargs="?", default=100)
    parser.add_argument("--base-url", help="read from this server instead of starting one here")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of figures")
    args = parser.parse_args()
    server = None if args.base_url else serve(args.per_day)
    base_url = args.base_url or f"http://127.0.0.1:{server.server_port}"

    def report(n: int, pipe) -> None:
        if not args.json and (n in (1, 10) or n % 30 == 0 or n == args.days):
            papers = pipe.store.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
            print(f"day {n:4d}: {papers:6d} papers stored, peak RSS {rss_mb():6.1f} MB", flush=True)

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        papers = walk(base_url, args.days, args.page, Path(folder), report)
    if server:
        server.shutdown()
    if args.json:
        print(json.dumps({"papers": papers, "days": args.days, "peak_rss_mb": round(rss_mb(), 1),
                          "seconds": round(time.monotonic() - started, 1)}))


if __name__ == "__main__":
    main()
