"""Peak resident memory of a backfill, at two sizes, measured from outside the process.

    python bench/bench_memory.py [--papers 100000]

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

from backfill_memory import serve
from harness import ROOT, row

PER_DAY, PAGE = 1000, 500
LIMIT_MB = 200


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


def run(papers: int = 100_000) -> list[dict]:
    """Backfills of `papers` and of a tenth of them."""
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
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    for figure in run(parser.parse_args().papers):
        print(figure)


if __name__ == "__main__":
    main()
