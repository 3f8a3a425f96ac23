"""tag_jsonl: trying rules on a JSON-lines file without a database."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pipeline.tagging import JsonLinesError, load_rules, tag_jsonl

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(ROOT / "config" / "tags.toml")


def run(lines: list[str], explain: bool = False) -> list[dict]:
    out = io.StringIO()
    count = tag_jsonl(io.StringIO("\n".join(lines) + "\n"), out, RULES, explain=explain)
    result = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(result)
    return result


def test_devset_papers_come_back_with_their_tags_and_other_fields_untouched():
    source = (ROOT / "fixtures" / "tagging" / "devset.jsonl").read_text(encoding="utf-8").splitlines()[:20]
    result = run(source)
    assert len(result) == 20
    for line, paper in zip(source, result):
        original = json.loads(line)
        assert {k: v for k, v in paper.items() if k != "tags"} == original
        assert paper["tags"] == [m.tag for m in RULES.tag(original["title"], original["abstract"])]
    assert any("modality:histopathology" in paper["tags"] for paper in result)


def test_explain_adds_evidence_and_rules_version():
    [paper] = run([json.dumps({"title": "Knee MRI reconstruction", "abstract": None})], explain=True)
    assert "modality:mri" in paper["tags"]
    evidence = {e["tag"]: e for e in paper["tag_evidence"]}
    assert evidence["modality:mri"] == {"tag": "modality:mri", "rule": "mri-acronym", "field": "title", "matched": "MRI"}
    assert paper["rules_version"] == RULES.version


def test_blank_lines_are_skipped_and_bad_lines_name_their_number():
    assert run(["", json.dumps({"title": "x"})]) == [{"title": "x", "tags": []}]
    with pytest.raises(JsonLinesError, match="line 2: not JSON"):
        run([json.dumps({"title": "x"}), "{not json"])
    with pytest.raises(JsonLinesError, match="line 1: 'title' must be a string"):
        run([json.dumps({"abstract": "no title"})])
    with pytest.raises(JsonLinesError, match="line 1: expected a JSON object"):
        run(["[1, 2]"])
