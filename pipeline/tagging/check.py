"""Scoring the rules against labelled papers: `paperfeed rules check`.

Labelled papers come from a JSON-lines file (the dev set's format: `labels`
with `medical-imaging`, `modalities` and `tasks`, or plain `{"tag": true}`
pairs) or from the database's labels. Each tag is scored only on the papers
that carry a verdict for it; every false positive is listed with the rule and
words that fired, every false negative with what the closest rule lacked.
`suggest` looks for veto candidates: words frequent in a tag's false
positives and rare in its true positives.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from pipeline.json_lines import json_objects
from pipeline.tagging.detex import detex, matching_form
from pipeline.tagging.evidence import TagMatch
from pipeline.tagging.matcher import RuleSet
from pipeline.tagging.whynot import Diagnosis, why_not


class LabelFileError(ValueError):
    """A labelled-paper file that cannot be scored; the message names file and line."""


@dataclass(frozen=True, slots=True)
class LabelledPaper:
    id: str
    title: str
    abstract: str | None
    verdicts: tuple[tuple[str, bool], ...]  # (tag, has it?)


@dataclass
class TagCheck:
    tag: str
    true_positives: list[LabelledPaper] = field(default_factory=list)
    false_positives: list[tuple[LabelledPaper, TagMatch]] = field(default_factory=list)
    false_negatives: list[tuple[LabelledPaper, Diagnosis]] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        fired = len(self.true_positives) + len(self.false_positives)
        return len(self.true_positives) / fired if fired else None

    @property
    def recall(self) -> float | None:
        wanted = len(self.true_positives) + len(self.false_negatives)
        return len(self.true_positives) / wanted if wanted else None

    @property
    def f1(self) -> float | None:
        tp = len(self.true_positives)
        errors = len(self.false_positives) + len(self.false_negatives)
        return 2 * tp / (2 * tp + errors) if tp + errors else None


def verdicts_from_labels(labels: dict, tag_names: list[str]) -> dict[str, bool]:
    """A dev-set `labels` object as {tag: yes?}: lists name every tag of their facet that applies."""
    verdicts: dict[str, bool] = {}
    for key, value in labels.items():
        if key in ("modalities", "tasks"):
            facet = "modality:" if key == "modalities" else "task:"
            if not isinstance(value, list):
                raise ValueError(f"'{key}' must be a list")
            named = {f"{facet}{name}" for name in value}
            unknown = named - set(tag_names)
            if unknown:
                raise ValueError(f"unknown tag {sorted(unknown)[0]!r} in '{key}'")
            verdicts.update({tag: tag in named for tag in tag_names if tag.startswith(facet)})
        elif isinstance(value, bool):
            if key not in tag_names:
                raise ValueError(f"unknown tag {key!r}")
            verdicts[key] = value
        else:
            raise ValueError(f"label {key!r} must be true/false (or a list for modalities/tasks)")
    return verdicts


def read_labelled_jsonl(stream: IO[str], source: str, tag_names: list[str]) -> list[LabelledPaper]:
    papers = []
    for number, raw in json_objects(stream, lambda n, reason: LabelFileError(f"{source}: line {n}: {reason}")):
        where = f"{source}: line {number}"
        if not isinstance(raw.get("title"), str) or not isinstance(raw.get("labels"), dict):
            raise LabelFileError(f"{where}: expected an object with 'title' and a 'labels' object")
        try:
            verdicts = verdicts_from_labels(raw["labels"], tag_names)
        except ValueError as exc:
            raise LabelFileError(f"{where}: {exc}") from None
        papers.append(LabelledPaper(str(raw.get("id", f"line-{number}")), raw["title"], raw.get("abstract"),
                                    tuple(sorted(verdicts.items()))))
    if not papers:
        raise LabelFileError(f"{source}: no labelled papers")
    return papers


def check(rules: RuleSet, papers: list[LabelledPaper]) -> list[TagCheck]:
    """Per tag, in rule-file order, the papers the rules got right and wrong; only labelled tags."""
    results: dict[str, TagCheck] = {}
    for paper in papers:
        matches = {match.tag: match for match in rules.tag(paper.title, paper.abstract)}
        for tag, wanted in paper.verdicts:
            result = results.setdefault(tag, TagCheck(tag))
            if tag in matches:
                if wanted:
                    result.true_positives.append(paper)
                else:
                    result.false_positives.append((paper, matches[tag]))
            elif wanted:
                result.false_negatives.append((paper, why_not(rules, paper.title, paper.abstract, tag, set(matches))))
    return [results[tag] for tag in rules.tags if tag in results]


# Words that say nothing about a domain; never proposed as vetoes.
_STOPWORDS = frozenset(
    "a an and are as at be by can for from has have in into is it its of on or our such that the their these this"
    " to using we which with while was were than also both between based via over under not no more most other"
    " each two three one new show shows results method methods approach model models data paper propose proposed"
    " present work study performance state art existing task tasks further however high large".split())


def _document_terms(paper: LabelledPaper) -> set[str]:
    """The words and two-word phrases of a paper, in matching form, stopwords dropped."""
    words = matching_form(detex(paper.title) + " " + detex(paper.abstract or "")).split()
    terms = {word for word in words if len(word) > 2 and word not in _STOPWORDS and not word.isdigit()}
    terms.update(f"{first} {second}" for first, second in zip(words, words[1:], strict=False)
                 if first not in _STOPWORDS and second not in _STOPWORDS and len(first) > 1 and len(second) > 1)
    return terms


@dataclass(frozen=True, slots=True)
class VetoSuggestion:
    term: str
    false_positives: int  # how many of the tag's false positives contain it
    true_positives: int  # how many of its true positives do


def suggest(result: TagCheck, limit: int = 10, min_false_positives: int = 2,
            max_true_positive_share: float = 0.02) -> list[VetoSuggestion]:
    """Terms in at least `min_false_positives` false positives and at most that share of true positives."""
    if len(result.false_positives) < min_false_positives:
        return []
    in_fp: Counter = Counter()
    for paper, _ in result.false_positives:
        in_fp.update(_document_terms(paper))
    in_tp: Counter = Counter()
    for paper in result.true_positives:
        in_tp.update(_document_terms(paper))
    allowed = max_true_positive_share * len(result.true_positives)
    candidates = [VetoSuggestion(term, count, in_tp[term]) for term, count in in_fp.items()
                  if count >= min_false_positives and in_tp[term] <= allowed]
    candidates.sort(key=lambda s: (-s.false_positives, s.true_positives, len(s.term.split()), s.term))
    # A phrase found in exactly the same papers as one of its words adds nothing.
    kept: list[VetoSuggestion] = []
    for candidate in candidates:
        if any(candidate.false_positives == other.false_positives and other.term in candidate.term.split()
               for other in kept):
            continue
        kept.append(candidate)
        if len(kept) == limit:
            break
    return kept


def modality_macro_f1(results: list[TagCheck]) -> float | None:
    scores = [r.f1 for r in results if r.tag.startswith("modality:") and r.f1 is not None]
    return sum(scores) / len(scores) if scores else None


def task_micro(results: list[TagCheck]) -> tuple[float | None, float | None]:
    tasks = [r for r in results if r.tag.startswith("task:")]
    tp = sum(len(r.true_positives) for r in tasks)
    fp = sum(len(r.false_positives) for r in tasks)
    fn = sum(len(r.false_negatives) for r in tasks)
    return (tp / (tp + fp) if tp + fp else None), (tp / (tp + fn) if tp + fn else None)

