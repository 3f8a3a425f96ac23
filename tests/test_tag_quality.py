"""Tag quality on the labelled development set of real papers.

The thresholds are the project's targets. They are asserted on the whole set
and, separately, on the held-out third (split == "heldout"), whose errors are
not looked at when rules are changed: a rule tuned to the wording of the dev
papers shows up here as a held-out regression.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.tagging import load_rules

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(ROOT / "config" / "tags.toml")
PAPERS = [json.loads(line) for line in (ROOT / "fixtures" / "tagging" / "devset.jsonl").open(encoding="utf-8")]
MODALITIES = ("ct", "mri", "xray", "ultrasound", "pet", "histopathology", "dermatology", "ophthalmology",
              "endoscopy", "mammography", "dental", "microscopy")


def scores(papers: list[dict]) -> dict[str, float]:
    tp = fp = fn = 0
    counts = {m: [0, 0, 0] for m in MODALITIES}  # true positives, false positives, false negatives
    for paper in papers:
        tags = {match.tag for match in RULES.tag(paper["title"], paper["abstract"])}
        gold, predicted = paper["labels"]["medical-imaging"], "medical-imaging" in tags
        tp += gold and predicted
        fp += predicted and not gold
        fn += gold and not predicted
        gold_modalities = set(paper["labels"]["modalities"])
        for modality in MODALITIES:
            hit, want = f"modality:{modality}" in tags, modality in gold_modalities
            counts[modality][0] += hit and want
            counts[modality][1] += hit and not want
            counts[modality][2] += want and not hit
    f1 = [2 * t / (2 * t + p + n) for t, p, n in counts.values() if t + p + n]
    return {
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "macro_f1": sum(f1) / len(f1),
    }


def test_devset_is_real_and_balanced_enough_to_mean_something():
    positives = [p for p in PAPERS if p["labels"]["medical-imaging"]]
    negatives = [p for p in PAPERS if not p["labels"]["medical-imaging"]]
    assert len(positives) >= 64 and len(negatives) >= len(positives)
    assert len({p["id"] for p in PAPERS}) == len(PAPERS)
    assert all(not p["labels"]["modalities"] for p in negatives)
    for modality in MODALITIES:
        assert any(modality in p["labels"]["modalities"] for p in positives), modality


@pytest.mark.parametrize("split", ["all", "heldout"])
def test_medical_imaging_gate_and_modality_tags_meet_targets(split):
    papers = PAPERS if split == "all" else [p for p in PAPERS if p["split"] == "heldout"]
    result = scores(papers)
    assert result["precision"] >= 0.97, result
    assert result["recall"] >= 0.95, result
    assert result["macro_f1"] >= 0.90, result
