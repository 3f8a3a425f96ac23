"""Every benchmark in one run: a table of figures, targets and ratios to the floor, kept in BENCHMARKS.md.

    python bench/run.py [--quick] [--only ingest,search] [--output BENCHMARKS.md]

Each benchmark is a module of `bench/` with `run(papers: int) -> list[dict]`
(rows of name, value, unit, target, ratio, `rounds` and, where the module can
tell, `ok` and a `why` for a missed target), listed once in BENCHMARKS below
with its full and `--quick` sizes. A module that is not there (a benchmark
still being written elsewhere) is listed as not available. The floors are
measured in the same run as the figures, in rounds interleaved with them
(A B A B ...), so the ratios hold on a busy machine; `rounds` is the figure's
min/median over those rounds. A ratio to a floor below 1 means the floor is
not the fastest way to do the work: it is reported as a broken floor, never
as a pass. BENCHMARKS.md keeps the sections it had after the table (history,
before/after notes), replacing only the table and what the run generates.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import platform
import re
import sqlite3
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

# (name, module, papers, papers with --quick)
BENCHMARKS = [
    ("ingest", "bench_ingest", 10_000, 2_000),
    ("retag", "bench_retag", 100_000, 20_000),
    ("search", "bench_search", 1_000_000, 100_000),
    ("memory", "bench_memory", 100_000, 20_000),
    ("concurrency", "bench_concurrency", 10_000, 2_000),
    ("status", "bench_status", 100_000, 20_000),
    ("reading", "bench_reading_page", 5_000, 1_000),
    ("freshness", "bench_freshness", 7, 2),  # simulated days, not papers
]
_BOUND = re.compile(r"(<=|>=|≤|≥)\s*([\d.,]+)\s*(x|×)?")


def verdict(figure: dict) -> str:
    """pass/miss from the row's own `ok`, else from a target such as '>= 20,000 papers/s, <= 1.5x floor';
    BROKEN FLOOR when the figure beats what its floor claims is the fastest way."""
    ratio = figure.get("ratio")
    if ratio is not None and ratio < 1 and "floor" in str(figure.get("target", "")) and "(the floor)" not in str(
            figure.get("target", "")) and "ranked floor" not in str(figure.get("target", "")):
        return "BROKEN FLOOR"
    ok = figure.get("ok")
    if ok is None:
        bounds = _BOUND.findall(str(figure.get("target", "")))
        if not bounds:
            return "-"
        checks = []
        for op, number, times in bounds:
            measured = figure.get("ratio") if times else figure.get("value")
            if measured is None:
                return "?"
            limit = float(number.replace(",", ""))
            checks.append(measured <= limit if op in ("<=", "≤") else measured >= limit)
        ok = all(checks)
    return "pass" if ok else "MISS"


def machine() -> str:
    model = "unknown CPU"
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or model
    return (f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}; SQLite {sqlite3.sqlite_version};"
            f" {platform.system()} {platform.release()}")


def run_all(names: set[str] | None, quick: bool) -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []
    for name, module_name, papers, quick_papers in BENCHMARKS:
        if names and name not in names:
            continue
        if importlib.util.find_spec(module_name) is None:
            print(f"{name}: not available (no bench/{module_name}.py)", flush=True)
            found.append((name, {"name": f"{name}: not available", "value": "", "unit": "", "target": "",
                                 "ratio": None, "ok": None, "note": f"bench/{module_name}.py is not in this tree"}))
            continue
        size = quick_papers if quick else papers
        print(f"{name}: running ({size:,} papers)...", flush=True)
        started = time.monotonic()
        try:
            rows = importlib.import_module(module_name).run(size)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            rows = [{"name": f"{name}: failed", "value": "", "unit": "", "target": "", "ratio": None, "ok": False,
                     "note": f"{type(exc).__name__}: {exc}"}]
        print(f"{name}: done in {time.monotonic() - started:.0f} s", flush=True)
        found += [(name, figure) for figure in rows]
    return found


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[tuple[str, dict]]) -> list[list[str]]:
    header = ["benchmark", "figure", "value", "target", "ratio to floor", "min/median", "result"]
    body = [[name, f["name"], f"{_cell(f['value'])} {f['unit']}".strip(), str(f["target"]),
             "" if f.get("ratio") is None else f"{f['ratio']:.2f}x", f.get("rounds") or "", verdict(f)]
            for name, f in rows]
    return [header, *body]


def text_table(cells: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(rows: list[tuple[str, dict]], command: str, seconds: float) -> str:
    cells = table(rows)
    out = [
        "# Benchmarks",
        "",
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine()}",
        f"- Command: `{command}` ({seconds / 60:.1f} minutes)",
        "",
        "The floor of each figure is measured in the same run, in rounds interleaved with the figure's"
        " (see each module's docstring in `bench/`); the ratio is best round to best round, `min/median` the"
        " figure's own timings over the rounds (seconds or ms as the figure's unit says). A ratio below 1 to a"
        " floor is reported as a broken floor.",
        "",
        "| " + " | ".join(cells[0]) + " |",
        "|" + "|".join(" --- " for _ in cells[0]) + "|",
    ]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in cells[1:]]
    out += ["", "## Details", ""]
    out += [f"- **{f['name']}**: {f['note']}" for _, f in rows if f.get("note")]
    missed = [f for _, f in rows if verdict(f) in ("MISS", "BROKEN FLOOR")]
    if missed:
        out += ["", "## Missed targets and broken floors", ""]
        out += [f"- **{f['name']}**: {f.get('why') or 'no explanation given by the benchmark'}" for f in missed]
    return "\n".join(out) + "\n"


KEPT_FROM = "\n## "  # sections after the generated ones, by their heading
GENERATED = ("## Details", "## Missed targets")


def kept_sections(previous: str) -> str:
    """The sections of the previous BENCHMARKS.md that a run does not write (notes, before/after, history)."""
    sections = previous.split(KEPT_FROM)[1:]
    kept = [f"## {section}" for section in sections if not f"## {section}".startswith(GENERATED)]
    return "".join(f"\n{section.rstrip()}\n" for section in kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a check in about a minute")
    parser.add_argument("--only", help="comma-separated benchmark names: " + ", ".join(b[0] for b in BENCHMARKS))
    parser.add_argument("--output", type=Path, default=BENCH.parent / "BENCHMARKS.md",
                        help="where to write the table (default BENCHMARKS.md; '-' to skip)")
    args = parser.parse_args()
    names = set(args.only.split(",")) if args.only else None
    started = time.monotonic()
    rows = run_all(names, args.quick)
    seconds = time.monotonic() - started
    print()
    print(text_table(table(rows)))
    command = "python bench/run.py" + "".join(f" {a}" for a in sys.argv[1:])
    if str(args.output) != "-":
        previous = args.output.read_text() if args.output.exists() else ""
        args.output.write_text(markdown(rows, command, seconds) + kept_sections(previous))
        print(f"\nwritten to {args.output} ({seconds / 60:.1f} minutes)")


if __name__ == "__main__":
    main()
