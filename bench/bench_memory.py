"""Peak resident memory of a backfill at two sizes, and of one large listing file, each in a child process.

    python bench/bench_memory.py [--papers 100000] [--listing 50000]

One large listing: an arXiv Atom feed and a Hugging Face API answer of
`--listing` real entries (and of a fifth of that, for the growth), each
ingested as one file by `bench/listing_memory.py`. Target: <= 150 MB for
50,000 entries, flat with the number of entries.

Runs `bench/backfill_memory.py` as a child process against a local arXiv API
served from this process (1,000 papers a day in pages of 500), once for a
tenth of the papers and once for all of them. Each child reports its peak
RSS from /proc (VmHWM): the kernel's `wait4`/`RUSAGE_CHILDREN` figure also
counts the parent's pages a forked child shared before exec.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from backfill_memory import serve
from harness import ROOT, row
from listings import arxiv_listing, hf_listing

PER_DAY, PAGE = 1000, 500
LIMIT_MB = 200
LISTING_LIMIT_MB = 150


def peak_rss(base_url: str, papers: int) -> tuple[float, dict]:
    """(peak RSS in MB of the backfill program, the child's own figures)."""
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "backfill_memory.py"), str(max(1, papers // PER_DAY)), str(PER_DAY),
         str(PAGE), "--base-url", base_url, "--json"],
        stdout=subprocess.PIPE, text=True)
    output, _ = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"backfill_memory.py exited {child.returncode}: {output[-500:]}")
    figures = json.loads(output.strip().splitlines()[-1])
    return figures["peak_rss_mb"], figures


def listing_peak(path: Path) -> dict:
    child = subprocess.run([sys.executable, str(ROOT / "bench" / "listing_memory.py"), str(path), "--json"],
                           capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(f"listing_memory.py exited {child.returncode}: {child.stderr[-500:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def listing_rows(entries: int) -> list[dict]:
    """One file of `entries` entries (and of a fifth of them) per format, ingested in a child each."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, build, name in (("arXiv Atom", arxiv_listing, "atom.xml"), ("HF API JSON", hf_listing, "hf.json")):
            measured = {}
            for size in (entries // 5, entries):
                path = Path(folder) / f"{size}-{name}"
                path.write_bytes(build(size))
                measured[size] = listing_peak(path), path.stat().st_size
                path.unlink()
            for size, (figures, size_bytes) in measured.items():
                if figures["papers"] != size:
                    raise RuntimeError(f"{label} {size}: stored {figures['papers']} papers")
                mb = figures["peak_rss_mb"]
                rows.append(row(f"ingest one {label} file of {size:,} entries: peak RSS", mb, "MB",
                                f"<= {LISTING_LIMIT_MB} MB", None, mb <= LISTING_LIMIT_MB,
                                f"file {size_bytes / 1e6:.0f} MB, ingested in {figures['seconds']} s",
                                why="the file is read whole (for its hash), parsed into a list of records and"
                                    " stored from that list: the lxml reader streams its tree, but the listing"
                                    " is still held as a whole, not saved in chunks as it is read"))
            small, large = measured[entries // 5][0]["peak_rss_mb"], measured[entries][0]["peak_rss_mb"]
            rows.append(row(f"one {label} file: RSS growth {entries // 5:,} -> {entries:,} entries",
                            round(large - small, 1), "MB", "flat: <= 1.2x", round(large / small, 2),
                            large / small <= 1.2, "ratio is the larger file's peak to the smaller's"))
    return rows


def run(papers: int = 100_000, listing: int | None = None) -> list[dict]:
    """Backfills of `papers` and of a tenth of them; one listing file of `listing` entries (papers / 2)."""
    large = papers
    server = serve(PER_DAY)
    try:
        base_url = f"http://127.0.0.1:{server.server_port}"
        measured = {papers: peak_rss(base_url, papers) for papers in (large // 10, large)}
    finally:
        server.shutdown()
    rows = []
    for papers, (mb, figures) in measured.items():
        if figures["papers"] != max(1, papers // PER_DAY) * PER_DAY:
            raise RuntimeError(f"backfill stored {figures['papers']} papers, expected {papers}")
        rows.append(row(f"backfill peak RSS, {papers:,} papers", round(mb, 1), "MB", f"<= {LIMIT_MB} MB", None,
                        mb <= LIMIT_MB, f"{figures['days']} days x {PER_DAY // PAGE} pages in {figures['seconds']} s"
                        f" ({papers / figures['seconds']:,.0f} papers/s)"))
    small_mb, large_mb = measured[large // 10][0], measured[large][0]
    growth = large_mb / small_mb
    rows.append(row(f"backfill RSS growth, {large // 10:,} -> {large:,} papers", round(large_mb - small_mb, 1), "MB",
                    "flat: <= 1.2x", round(growth, 2), growth <= 1.2, "ratio is the larger run's peak to the smaller's"))
    return rows + listing_rows(listing or papers // 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--listing", type=int, default=None, help="entries of the one large listing (papers / 2)")
    args = parser.parse_args()
    for figure in run(args.papers, args.listing):
        print(figure)


if __name__ == "__main__":
    main()
