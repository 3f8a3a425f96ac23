"""`bench/run.py --only NAME` rewrites BENCHMARKS.md: the benchmarks that did not run keep their rows and notes.

The report is hand-made here (two benchmarks, one missed target) so the test
says exactly what must survive a partial run: the other benchmark's row with
its own date, its details line and its missed-target note, and the sections
after the generated ones.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EARLIER = """# Benchmarks

- Date: 2026-11-30 10:00 UTC
- Machine: Some CPU, 2 cores
- Command: `python bench/run.py` (30.0 minutes)

| benchmark | figure | value | target | ratio to floor | min/median | result |
| --- | --- | --- | --- | --- | --- | --- |
| ingest | ingest 10,000 real entries, end to end | 713 papers/s | <= 1.5x floor | 2.61x | 14.02/15.57 | MISS |
| status | `paperfeed status` at 100,000 runs | 30 ms | flat: <= 1.2x | 1.01x | 30/131 | pass |

## Details

- **ingest 10,000 real entries, end to end**: 3 rounds; floor = parse + store
- **`paperfeed status` at 100,000 runs**: ratio to 1,000 runs

## Missed targets and broken floors

- **ingest 10,000 real entries, end to end**: identity resolution runs per entry in Python

## Before and after

kept as written
"""


def load_report():
    spec = importlib.util.spec_from_file_location("bench_run_report", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_partial_run_keeps_the_other_benchmarks_rows_notes_and_dates():
    report = load_report()
    fresh = report.measured_rows([("status", {
        "name": "`paperfeed status` at 100,000 runs", "value": 28, "unit": "ms", "target": "flat: <= 1.2x",
        "ratio": 1.05, "rounds": "28/40", "note": "ratio to 1,000 runs, again"})], "2026-12-02 20:00 UTC")
    rows = report.merged(fresh, report.previous_rows(EARLIER), {"status"})
    written = report.markdown(rows, "python bench/run.py --only status", 6.0, "2026-12-02 20:00 UTC",
                              "Some CPU, 2 cores") + report.kept_sections(EARLIER)

    assert [row.benchmark for row in rows] == ["ingest", "status"]
    assert "| ingest | ingest 10,000 real entries, end to end | 713 papers/s | <= 1.5x floor | 2.61x | 14.02/15.57 " \
           "| MISS | 2026-11-30 10:00 UTC |" in written
    assert "| status | `paperfeed status` at 100,000 runs | 28 ms | flat: <= 1.2x | 1.05x | 28/40 | pass " \
           "| 2026-12-02 20:00 UTC |" in written
    assert "- **ingest 10,000 real entries, end to end**: 3 rounds; floor = parse + store" in written
    assert "- **`paperfeed status` at 100,000 runs**: ratio to 1,000 runs, again" in written
    assert "- **ingest 10,000 real entries, end to end**: identity resolution runs per entry in Python" in written
    assert written.rstrip().endswith("## Before and after\n\nkept as written")
    # Read back, the rewritten report gives the same rows: a second partial run keeps them again.
    assert report.previous_rows(written) == rows
