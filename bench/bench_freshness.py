"""How fresh the shipped schedule keeps the database: a simulated week against the simulated upstream.

    python bench/run.py --only freshness     (--quick: two simulated days)

`tests/upstream_sim.py` serves Hugging Face, arXiv (feed and API), medRxiv
and a journal feed from a script on a simulated clock, starting Monday
2026-11-23: three ordinary weekdays, US Thanksgiving (no arXiv mailing),
a Friday and a weekend, Hugging Face down (503) on Wednesday 11:00-13:00 UTC,
a medRxiv late batch every morning, a journal feed that stops changing on
Wednesday. `tests/sim_clock.py` runs the real scheduler's jobs at every fire
time of their triggers (the shipped defaults), then one more day to settle.

Per source: the delay from a paper's appearance upstream to its row in
`papers` (tags are written in the same transaction) and to the first daily
digest (07:00 US-Eastern) that includes it, as median, p95 and worst; every
paper that was late (over the target) or never arrived is named. The same
week under the previous defaults (HF four times a day, arXiv at 20:30
US-Eastern) is the comparison, the "floor" being what the schedule alone
costs. Targets (issue 18): p95 <= 15 min for Hugging Face, <= 30 min after
arXiv's rebuild, every paper present and none twice.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("PAPERFEED_SQLITE_WAL_CHECK", "off")

from sim_clock import SimRun, sim_settings, sim_sources, summary  # noqa: E402
from upstream_sim import SimServer, Upstream  # noqa: E402
from pipeline.run.staleness import all_findings  # noqa: E402

START = date(2026, 11, 23)
TARGETS = {"hf": 15.0, "arxiv-rss": 30.0}
NAMES = {"hf": "Hugging Face daily", "arxiv-rss": "arXiv feed", "arxiv-api": "arXiv API",
         "biorxiv": "medRxiv details API", "journal": "journal feed"}
EVENINGS = ("30 20 * * sun,mon,tue,wed,thu", "America/New_York")
PREVIOUS_DEFAULTS = {"hf-daily": ("17 6,12,18,23 * * *", "UTC"), "arxiv-imaging": EVENINGS,
                     "arxiv-imaging-api": EVENINGS, "medrxiv-radiology": ("43 7 * * *", "UTC")}


def simulate(days: int, schedules: dict[str, str] | None, workdir: Path):
    """One simulated week; the measurements, the runner (for its database) and the real seconds it took."""
    upstream = Upstream(START, days, journal_stops=START + timedelta(days=2),
                        outages={"hf": (datetime(2026, 11, 25, 11, 0, tzinfo=timezone.utc),
                                        datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc))})
    server = SimServer(upstream)
    config = workdir / "config"
    shutil.copytree(ROOT / "config", config)
    sim_settings(config)
    (config / "sources.toml").write_text(sim_sources(server.base, schedules))
    runner = SimRun(upstream, config, workdir / "papers.db")
    started = time.monotonic()
    begin = datetime.combine(START, datetime.min.time(), timezone.utc)
    measured = runner.drive(begin, begin + timedelta(days=days + 1))
    seconds = time.monotonic() - started
    return measured, runner, server, seconds


def rows_for(measured, label: str, compare=None) -> list[dict]:
    rows = []
    for kind, name in NAMES.items():
        minutes, missing = measured.delays(kind)
        stats = summary(minutes)
        if not stats["n"] and not missing:
            continue
        target = TARGETS.get(kind)
        late = measured.late(kind, target) if target is not None else []
        p95 = stats.get("p95")
        ok = None if target is None else (p95 is not None and p95 <= target and not missing)
        note = (f"{stats['n']} papers stored, median {stats.get('median', 0):.1f} min, p95 {p95 or 0:.1f} min,"
                f" worst {stats.get('worst', 0):.1f} min; missing {len(missing)}")
        if missing:
            note += ": " + ", ".join(sorted(missing))
        if late:
            note += f"; late (> {target:g} min): " + ", ".join(f"{key} {m:.0f} min" for key, m in late)
        mailed = summary(measured.delays(kind, "digest")[0])
        if mailed["n"]:
            note += (f"; to first digest: median {mailed['median']:.0f} min, p95 {mailed['p95']:.0f} min,"
                     f" worst {mailed['worst']:.0f} min")
        ratio = None
        if compare is not None:
            before_minutes, before_missing = compare.delays(kind)
            before = summary(before_minutes)
            if before.get("p95"):
                ratio = (p95 or 0) / before["p95"]
                note += f"; previous schedules: p95 {before['p95']:.0f} min, worst {before['worst']:.0f} min"
            if before_missing:
                note += f"; previous schedules missed {len(before_missing)} papers"
        why = None
        if ok is False:
            why = f"p95 {p95 or 0:.1f} min against {target:g}; {len(missing)} missing; late: " + (
                ", ".join(f"{key} {m:.0f} min" for key, m in late[:10]) or "none")
        rows.append({"name": f"{label}: {name}, appearance to row, p95", "value": round(p95 or 0, 1),
                     "unit": "min", "target": f"<= {target:g} min, none missing" if target else "context",
                     "ratio": ratio, "ok": ok, "note": note, "why": why})
    return rows


def run(papers: int = 7) -> list[dict]:
    """`papers` is the number of simulated days here (7: Monday to Sunday)."""
    days = max(1, int(papers))
    with tempfile.TemporaryDirectory(prefix="paperfeed-bench-freshness-") as tmp:
        old_dir, new_dir = Path(tmp) / "previous", Path(tmp) / "shipped"
        old_dir.mkdir()
        new_dir.mkdir()
        previous, old_runner, old_server, _ = simulate(days, PREVIOUS_DEFAULTS, old_dir)
        old_server.stop()
        old_runner.close()
        measured, runner, server, seconds = simulate(days, None, new_dir)
        server.stop()
        duplicates = runner.duplicates()
        findings = all_findings(runner.session.pipeline().store, runner.config,
                                datetime.combine(START + timedelta(days=days + 1), datetime.min.time(), timezone.utc))
        runner.close()
    rows = rows_for(measured, "shipped defaults", previous)
    rows.append({"name": "shipped defaults: papers stored twice", "value": len(duplicates), "unit": "papers",
                 "target": "0", "ratio": None, "ok": not duplicates,
                 "note": f"{measured.runs} scheduled runs over {days} simulated days + 1 to settle, in {seconds:.0f} s"
                         + (": " + ", ".join(duplicates) if duplicates else ""),
                 "why": ", ".join(duplicates) or None})
    rows.append({"name": "shipped defaults: `paperfeed status` findings after the week", "value": len(findings),
                 "unit": "findings", "target": "context", "ratio": None, "ok": None,
                 "note": "; ".join(f"{f.source}: {f.reason}" for f in findings)
                         or "none: the weekend and Thanksgiving were quiet, not stale (the journal's silence since"
                            " Wednesday is within the feed kind's 10 days, with no history of its own yet)"})
    return rows

