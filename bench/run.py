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
With `--only`, the rows, details and missed-target notes of the benchmarks
that did not run are kept as they were, each row with the date it was
measured, so re-running one benchmark never drops the others' figures.
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
from dataclasses import dataclass
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


HEADER = ["benchmark", "figure", "value", "target", "ratio to floor", "min/median", "result", "measured"]


@dataclass(frozen=True)
class Row:
    """One figure as BENCHMARKS.md shows it: its table cells and the notes written under the table."""

    benchmark: str
    cells: tuple[str, ...]  # figure, value, target, ratio, min/median, result, measured
    note: str = ""
    why: str = ""

    @property
    def figure(self) -> str:
        return self.cells[0]

    @property
    def missed(self) -> bool:
        return self.cells[5] in ("MISS", "BROKEN FLOOR")


def measured_rows(rows: list[tuple[str, dict]], when: str) -> list[Row]:
    return [Row(name, (f["name"], f"{_cell(f['value'])} {f['unit']}".strip(), str(f["target"]),
                       "" if f.get("ratio") is None else f"{f['ratio']:.2f}x", f.get("rounds") or "", verdict(f), when),
                f.get("note") or "", (f.get("why") or "no explanation given by the benchmark") if verdict(f) in (
                    "MISS", "BROKEN FLOOR") else "")
            for name, f in rows]


def previous_rows(previous: str) -> list[Row]:
    """The rows of an earlier BENCHMARKS.md with their notes; a table without a `measured` column gets its Date."""
    dated = re.search(r"^- Date: (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", previous, re.M)
    default_when = dated.group(1) if dated else ""
    notes = _bullets(previous, "## Details")
    whys = _bullets(previous, "## Missed targets")
    found = []
    for line in previous.split(KEPT_FROM, 1)[0].splitlines():
        if not line.startswith("| ") or line.startswith(("| benchmark |", "| --- ")):
            continue
        cells = [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) == len(HEADER) - 1:
            cells.append(default_when)
        if len(cells) != len(HEADER):
            continue
        figure = cells[1]
        found.append(Row(cells[0], tuple(cells[1:]), notes.get(figure, ""), whys.get(figure, "")))
    return found


def _bullets(text: str, heading: str) -> dict[str, str]:
    start = text.find("\n" + heading)
    if start < 0:
        return {}
    section = text[start + 1:].split(KEPT_FROM, 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^- \*\*(.+?)\*\*: (.*)$", section, re.M)}


def merged(fresh: list[Row], earlier: list[Row], ran: set[str]) -> list[Row]:
    """This run's rows in place of the benchmarks it ran; the others' rows kept, all in BENCHMARKS order."""
    order = {name: i for i, (name, *_rest) in enumerate(BENCHMARKS)}
    kept = [row for row in earlier if row.benchmark not in ran]
    return sorted(fresh + kept, key=lambda row: order.get(row.benchmark, len(order)))


def table(rows: list[Row]) -> list[list[str]]:
    return [HEADER, *[[row.benchmark, *row.cells] for row in rows]]


def text_table(cells: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(rows: list[Row], command: str, seconds: float, when: str, earlier_machine: str | None) -> str:
    """`earlier_machine` is the previous file's machine when only some benchmarks ran (`--only`)."""
    cells = table(rows)
    here = machine()
    out = [
        "# Benchmarks",
        "",
        f"- Date: {when}" + (" (rows of benchmarks this command did not run keep their own `measured` date)"
                             if earlier_machine is not None else ""),
        f"- Machine: {here}" + (f" (rows measured earlier: {earlier_machine})"
                                if earlier_machine and earlier_machine != here else ""),
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
    out += [f"- **{row.figure}**: {row.note}" for row in rows if row.note]
    missed = [row for row in rows if row.missed]
    if missed:
        out += ["", "## Missed targets and broken floors", ""]
        out += [f"- **{row.figure}**: {row.why or 'no explanation given by the benchmark'}" for row in missed]
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
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    fresh = measured_rows(rows, when)
    print()
    print(text_table(table(fresh)))
    command = "python bench/run.py" + "".join(f" {a}" for a in sys.argv[1:])
    if str(args.output) != "-":
        previous = args.output.read_text() if args.output.exists() else ""
        shown = merged(fresh, previous_rows(previous), names) if names else fresh
        earlier = re.search(r"^- Machine: ([^(\n]+?)(?: \(|$)", previous, re.M)
        earlier_machine = (earlier.group(1) if earlier else "") if names else None
        args.output.write_text(markdown(shown, command, seconds, when, earlier_machine) + kept_sections(previous))
        print(f"\nwritten to {args.output} ({seconds / 60:.1f} minutes)")


if __name__ == "__main__":
    main()
