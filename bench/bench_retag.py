"""Retag throughput against the floor of a bare Aho-Corasick scan, in one run.

    python bench/bench_retag.py [--papers 100000] [--runs 3]
    python bench/bench_retag.py --before OLD_RULES.toml   # tagging before and after a rule change, one run

Builds a database of N papers from the real titles and abstracts in
fixtures/ (the tagging dev set and every real sample the parsers read,
cycled, each copy with its own arXiv id), written through the store in one
transaction. Every paper also gets a stale tag row, as if the rules had
changed since it was tagged. Then, best of --runs each:

* retag after a rule change: every paper's tags are rewritten (the worst case);
* retag again: nothing changes, nothing is written;
* `rules.tag` over the same texts, without the database;
* the floor: one bare pyahocorasick automaton with exactly the rule set's keys
  (`RuleSet.bare_automaton()`), `iter()` over the same texts, already
  lower-cased and punctuation-folded so it pays for nothing but the scan;
* the floor plus the text preparation every real scan needs (de-TeX, fold).

Ratios are to the floor measured in the same run, so they hold on a busy
machine. Targets: retag >= 20,000 papers/s on one core and <= 1.5x the floor.
`run(papers)` returns the rows for a bench driver that collects several scripts.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.model import PaperRecord, RunRow  # noqa: E402
from pipeline.formats import parse_any  # noqa: E402
from pipeline.store import Store  # noqa: E402
from pipeline.store.tags import retag  # noqa: E402
from pipeline.tagging import load_rules  # noqa: E402
from pipeline.tagging.detex import detex, matching_form  # noqa: E402

RATE_TARGET = 20_000  # papers/s
RATIO_TARGET = 1.5  # times the floor
STALE_VERSION = "stale-rules"


def real_papers() -> list[tuple[str, str | None]]:
    """Distinct (title, abstract) pairs of real papers: the dev set, then the real listings in fixtures/."""
    seen: dict[tuple[str, str | None], None] = {}
    for line in (ROOT / "fixtures" / "tagging" / "devset.jsonl").read_text(encoding="utf-8").splitlines():
        paper = json.loads(line)
        seen[(paper["title"], paper["abstract"])] = None
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if not path.is_file() or path.name.startswith("handmade") or path.suffix in (".md", ".jsonl", ".toml"):
            continue
        try:
            entries = parse_any(path.read_bytes()).entries
        except Exception:  # error documents and fragments in fixtures/ are not listings
            continue
        for record in entries:
            if record.abstract:
                seen[(record.title, record.abstract)] = None
    return list(seen)


def build_database(path: Path, papers: list[tuple[str, str | None]]) -> Store:
    """N stored papers with distinct ids, each carrying one stale tag, written in one transaction."""
    store = Store(path)
    records = [
        PaperRecord(title=title, abstract=abstract, arxiv_id=f"25{1 + n // 90_000:02d}.{10_000 + n % 90_000}",
                    listing_date="2025-01-01", rank=n + 1)
        for n, (title, abstract) in enumerate(papers)
    ]
    run_id = store.start_run("bench", "bench_retag")
    store.save_listing(run_id, "bench", records, run_row=RunRow("ok", entries_parsed=len(records)))
    return store


def make_tags_stale(store: Store) -> None:
    """Give every paper tags that the current rules will not reproduce, as after a rule change."""
    with store.write_transaction() as conn:
        conn.execute("DELETE FROM paper_tags")
        conn.execute("INSERT INTO paper_tags (paper_id, tag, rule, field, matched, rules_version)"
                     " SELECT id, 'task:stale', 'old-rule', 'title', 'old words', ? FROM papers", (STALE_VERSION,))


def scan_prepared(automaton, prepared: list[tuple[str, str]]) -> None:
    """The floor: iterate the bare automaton over texts already in matching form."""
    for title, abstract in prepared:
        for _ in automaton.iter(title):
            pass
        for _ in automaton.iter(abstract):
            pass


def tag_texts(rules, texts: list[tuple[str, str | None]]) -> None:
    tag = rules.tag
    for title, abstract in texts:
        tag(title, abstract)


def best_of(runs: int, work: Callable[[], object], before: Callable[[], object] | None = None,
            clock: Callable[[], float] = time.perf_counter) -> float:
    timings = []
    for _ in range(runs):
        if before:
            before()
        gc.collect()
        start = clock()
        work()
        timings.append(clock() - start)
    return min(timings)


def run(papers: int = 100_000, runs: int = 3, rules_path: Path | str = ROOT / "config" / "tags.toml") -> list[dict]:
    """Time retag, the bare tagger and the floor over `papers` stored papers; one row per figure."""
    rules = load_rules(rules_path)
    texts = list(islice(cycle(real_papers()), papers))
    floor_automaton = rules.bare_automaton()
    prepared = [(matching_form(detex(title)), matching_form(detex(abstract or ""))) for title, abstract in texts]

    def scan_all() -> None:
        scan_prepared(floor_automaton, prepared)

    def prepare_and_scan_all() -> None:
        for title, abstract in texts:
            for _ in floor_automaton.iter(matching_form(detex(title))):
                pass
            for _ in floor_automaton.iter(matching_form(detex(abstract or ""))):
                pass

    def tag_all() -> None:
        tag_texts(rules, texts)

    with tempfile.TemporaryDirectory(prefix="bench-retag-") as tmp:
        started = time.perf_counter()
        store = build_database(Path(tmp) / "bench.db", texts)
        build_s = time.perf_counter() - started
        reports = []

        def retag_all() -> None:
            reports.append(retag(store, rules.tag, rules.version))

        changed_s = best_of(runs, retag_all, before=lambda: make_tags_stale(store))
        changed_report = reports[-1]
        reports.clear()
        unchanged_s = best_of(runs, retag_all)
        unchanged_report = reports[-1]
        tagged = store.query("SELECT count(DISTINCT paper_id) AS n FROM paper_tags")[0]["n"]
        store.close()
    tag_s = best_of(runs, tag_all)
    floor_s = best_of(runs, scan_all)
    prepared_s = best_of(runs, prepare_and_scan_all)

    assert changed_report.papers == papers and changed_report.papers_changed == papers, changed_report
    assert unchanged_report.papers_changed == 0, unchanged_report
    context = (f"{papers:,} papers cycled from {len(real_papers())} real abstracts ({tagged:,} get tags); "
               f"{len(rules.tags)} tags, {len(rules.terms)} automaton keys; database built in {build_s:.1f} s")

    def row(name: str, seconds: float, target: str) -> dict:
        return {"name": name, "value": round(papers / seconds), "unit": "papers/s", "target": target,
                "ratio": round(seconds / floor_s, 2), "seconds": round(seconds, 3), "context": context}

    both = f">= {RATE_TARGET:,} papers/s and <= {RATIO_TARGET}x floor"
    return [
        row("retag after a rule change (every paper rewritten)", changed_s, both),
        row("retag again (no change)", unchanged_s, both),
        row("rules.tag alone", tag_s, f"<= {RATIO_TARGET}x floor"),
        row("floor: bare Aho-Corasick iter, same keys, same texts", floor_s, "1.0x (the floor)"),
        row("floor + text preparation (de-TeX, fold)", prepared_s, "context"),
    ]


def compare(papers: int, runs: int, before: Path | str, after: Path | str) -> list[dict]:
    """`rules.tag` of two rule files over the same texts, each against the floor of its own keys, interleaved.

    A richer rule file has more automaton keys, so its floor is slower too; the ratio to its own floor
    is what says whether the matching around the scan got slower. Timings alternate between the two
    files and count this process's CPU time, so that a busy machine shared with other processes
    slows neither side more than the other.
    """
    texts = list(islice(cycle(real_papers()), papers))
    prepared = [(matching_form(detex(title)), matching_form(detex(abstract or ""))) for title, abstract in texts]
    sides = []
    for label, path in (("before", before), ("after", after)):
        rules = load_rules(path)
        sides.append((label, rules, rules.bare_automaton(), prepared))

    timings = {label: {"tag": [], "floor": []} for label, *_ in sides}
    for _ in range(runs):
        for label, rules, automaton, prepared in sides:
            timings[label]["tag"].append(best_of(1, lambda rules=rules: tag_texts(rules, texts), clock=time.process_time))
            timings[label]["floor"].append(best_of(1, lambda a=automaton, p=prepared: scan_prepared(a, p),
                                                   clock=time.process_time))
    rows = []
    for label, rules, _, _ in sides:
        tag_s, floor_s = min(timings[label]["tag"]), min(timings[label]["floor"])
        rows.append({"name": f"rules.tag, {label} ({len(rules.terms)} keys)", "value": round(papers / tag_s),
                     "unit": "papers/s", "ratio": round(tag_s / floor_s, 2), "floor": round(papers / floor_s),
                     "target": f"<= {RATIO_TARGET}x floor", "seconds": round(tag_s, 3)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="repeat each timing, keep the best")
    parser.add_argument("--rules", default=str(ROOT / "config" / "tags.toml"))
    parser.add_argument("--before", metavar="RULES",
                        help="an older rule file: time rules.tag of both against their floors, interleaved, no database")
    args = parser.parse_args()
    if args.before:
        print(f"{args.papers:,} papers cycled from {len(real_papers())} real abstracts; best of {args.runs}")
        print(f"{'':36} {'papers/s':>10} {'floor/s':>10} {'x floor':>8}  target")
        for r in compare(args.papers, args.runs, args.before, args.rules):
            print(f"{r['name']:36} {r['value']:>10,} {r['floor']:>10,} {r['ratio']:>8.2f}  {r['target']}")
        return
    rows = run(args.papers, args.runs, args.rules)
    print(rows[0]["context"])
    print(f"{'':52} {'papers/s':>10} {'x floor':>8}  target")
    for r in rows:
        print(f"{r['name']:52} {r['value']:>10,} {r['ratio']:>8.2f}  {r['target']}")


if __name__ == "__main__":
    main()
