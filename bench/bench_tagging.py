"""Tagging throughput against the floor of a bare Aho-Corasick scan.

    python bench/bench_tagging.py [--papers 100000] [--rules config/tags.toml]

Builds N papers by cycling the real titles and abstracts in fixtures/tagging,
times `rules.tag` over all of them, then times the floor: one bare
`Automaton.iter()` over the same texts (already lower-cased and
punctuation-folded, so the floor pays for nothing but the scan) with exactly
the rule set's automaton keys. Prints papers/s for both and their ratio.
It also times the floor plus the text preparation every real scan needs
(de-TeX, lower-case, fold punctuation) for context. The targets are
>= 20,000 papers/s and a ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from itertools import cycle, islice
from pathlib import Path

import ahocorasick

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.tagging import load_rules  # noqa: E402
from pipeline.tagging.detex import detex, matching_form  # noqa: E402


def real_papers() -> list[tuple[str, str | None]]:
    lines = (ROOT / "fixtures" / "tagging" / "devset.jsonl").read_text(encoding="utf-8").splitlines()
    return [(paper["title"], paper["abstract"]) for paper in map(json.loads, lines)]


def best_of(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--rules", default=str(ROOT / "config" / "tags.toml"))
    parser.add_argument("--runs", type=int, default=3, help="repeat each timing, keep the best")
    args = parser.parse_args()

    rules = load_rules(args.rules)
    papers = list(islice(cycle(real_papers()), args.papers))

    def tag_all() -> None:
        for title, abstract in papers:
            rules.tag(title, abstract)

    floor_automaton = ahocorasick.Automaton()
    for key in rules.terms:
        floor_automaton.add_word(key, key)
    floor_automaton.make_automaton()
    prepared = [(matching_form(detex(title)), matching_form(detex(abstract or ""))) for title, abstract in papers]

    def scan_all() -> None:
        for title, abstract in prepared:
            for _ in floor_automaton.iter(title):
                pass
            for _ in floor_automaton.iter(abstract):
                pass

    def prepare_and_scan_all() -> None:
        for title, abstract in papers:
            for _ in floor_automaton.iter(matching_form(detex(title))):
                pass
            for _ in floor_automaton.iter(matching_form(detex(abstract or ""))):
                pass

    tagged = best_of(args.runs, tag_all)
    floor = best_of(args.runs, scan_all)
    prepared_floor = best_of(args.runs, prepare_and_scan_all)
    n = len(papers)
    print(f"rules {rules.version}: {len(rules.tags)} tags, {len(rules.terms)} automaton keys; {n} papers "
          f"from {len(real_papers())} real abstracts")
    print(f"rules.tag    {n / tagged:10,.0f} papers/s  ({tagged:.2f} s)")
    print(f"floor scan   {n / floor:10,.0f} papers/s  ({floor:.2f} s)")
    print(f"floor + text preparation (de-TeX, fold) {n / prepared_floor:,.0f} papers/s")
    print(f"ratio        {tagged / floor:10.2f} x the floor  ({tagged / prepared_floor:.2f} x floor + preparation)")


if __name__ == "__main__":
    main()
