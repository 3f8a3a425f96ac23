"""The rules on the training part of the dev set (fixtures/tagging/devset/train.jsonl) must not get worse.

The floors sit just under what the rules score now (see fixtures/tagging/README.md): a rule change that
lowers gate precision or recall, modality macro-F1 or task-tag precision below them fails here, with the
numbers. The test part (test.jsonl) is not read by any test: it is only scored for the README.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.tagging import load_rules
from pipeline.tagging.check import check, modality_macro_f1, read_labelled_jsonl, task_micro

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "fixtures" / "tagging" / "devset" / "train.jsonl"
FLOORS = {"precision": 0.975, "recall": 0.955, "modality_macro_f1": 0.89, "task_precision": 0.66}


@pytest.fixture(scope="module")
def train_scores() -> dict[str, float]:
    rules = load_rules(ROOT / "config" / "tags.toml")
    with TRAIN.open(encoding="utf-8") as stream:
        results = check(rules, read_labelled_jsonl(stream, str(TRAIN), rules.tags))
    gate = next(r for r in results if r.tag == "medical-imaging")
    return {"precision": gate.precision, "recall": gate.recall, "modality_macro_f1": modality_macro_f1(results),
            "task_precision": task_micro(results)[0]}


def test_the_training_part_is_the_frozen_one():
    papers = [line for line in TRAIN.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(papers) == 1080 and all('"split": "train"' in line for line in papers)


@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_rules_stay_above_the_agreed_floor_on_train(train_scores, measure):
    assert train_scores[measure] >= FLOORS[measure], train_scores
