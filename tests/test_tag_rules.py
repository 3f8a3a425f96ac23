"""The rule file is validated before anything is tagged; errors name file, tag and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.tagging import RuleError, load_rules

RULES = Path(__file__).resolve().parents[1] / "config" / "tags.toml"

GOOD_TAG = """
[[tags]]
name = "modality:ct"
implies = ["medical-imaging"]
  [[tags.rules]]
  name = "ct-acronym"
  case_sensitive = true
  any = ["CT"]
"""
GATE = """
[[tags]]
name = "medical-imaging"
  [[tags.rules]]
  name = "phrase"
  any = ["medical image"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tags.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(RuleError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert message.startswith(str(path) + ":"), message
    assert "\n" not in message
    return message


def test_project_rule_file_loads_with_the_minimum_vocabulary():
    rules = load_rules(RULES)
    modalities = {"ct", "mri", "xray", "ultrasound", "pet", "histopathology", "dermatology",
                  "ophthalmology", "endoscopy", "mammography", "dental", "microscopy"}
    assert rules.tags[0] == "medical-imaging"
    assert {f"modality:{m}" for m in modalities} <= set(rules.tags)
    assert sum(t.startswith("anatomy:") for t in rules.tags) >= 10
    assert sum(t.startswith("task:") for t in rules.tags) >= 10


def test_version_is_a_hash_of_the_file_content(tmp_path):
    first = load_rules(write(tmp_path, GATE + GOOD_TAG)).version
    assert len(first) == 12 and int(first, 16) >= 0
    assert load_rules(write(tmp_path, GATE + GOOD_TAG)).version == first
    assert load_rules(write(tmp_path, GATE + GOOD_TAG + "\n# comment\n")).version != first


def test_tags_are_listed_in_file_order(tmp_path):
    assert load_rules(write(tmp_path, GATE + GOOD_TAG)).tags == ["medical-imaging", "modality:ct"]


def test_bad_regex_names_the_tag_and_pattern(tmp_path):
    message = error_for(tmp_path, GATE + """
[[tags]]
name = "modality:mri"
  [[tags.rules]]
  name = "weighted"
  regex = ['T[12-weighted']
""")
    assert "tag 'modality:mri'" in message and "bad regex" in message and "T[12-weighted" in message


def test_unknown_key_in_rule_is_refused(tmp_path):
    message = error_for(tmp_path, GATE + GOOD_TAG.replace('any = ["CT"]', 'any = ["CT"]\n  anyof = ["CT"]'))
    assert "tag 'modality:ct'" in message and "unknown key 'anyof'" in message


def test_unknown_key_in_tag_and_top_level_are_refused(tmp_path):
    assert "unknown key 'implied'" in error_for(tmp_path, GATE + GOOD_TAG.replace("implies", "implied"))
    assert "unknown top-level key 'tag'" in error_for(tmp_path, "[tag]\nname='x'\n" + GATE)


def test_empty_group_is_refused(tmp_path):
    message = error_for(tmp_path, GATE + GOOD_TAG.replace('any = ["CT"]', 'any = ["CT"]\n  all = [[]]'))
    assert "tag 'modality:ct'" in message and "empty term group" in message
    message = error_for(tmp_path, GATE + GOOD_TAG.replace('any = ["CT"]', "any = []"))
    assert "tag 'modality:ct'" in message and "empty term group" in message


def test_duplicate_tag_is_refused(tmp_path):
    message = error_for(tmp_path, GATE + GOOD_TAG + GOOD_TAG)
    assert "tag 'modality:ct'" in message and "duplicate tag" in message


def test_tag_without_facet_is_refused(tmp_path):
    message = error_for(tmp_path, GATE + GOOD_TAG.replace("modality:ct", "ct"))
    assert "tag 'ct'" in message and "no facet" in message
    message = error_for(tmp_path, GATE + GOOD_TAG.replace("modality:ct", "device:ct"))
    assert "tag 'device:ct'" in message and "unknown facet 'device'" in message


def test_implication_or_requirement_of_unknown_tag_is_refused(tmp_path):
    message = error_for(tmp_path, GOOD_TAG)  # implies medical-imaging, which is not defined
    assert "tag 'modality:ct'" in message and "implies unknown tag 'medical-imaging'" in message
    message = error_for(tmp_path, GATE + GOOD_TAG.replace("implies", "requires").replace("medical-imaging", "task:x"))
    assert "requires unknown tag 'task:x'" in message


def test_rule_without_terms_and_bad_values_are_refused(tmp_path):
    assert "needs 'any' terms or a 'regex'" in error_for(
        tmp_path, GATE + GOOD_TAG.replace('any = ["CT"]', 'all = [["scan"]]'))
    assert "scope must be one of" in error_for(
        tmp_path, GATE + GOOD_TAG.replace('any = ["CT"]', 'any = ["CT"]\n  scope = "body"'))
    assert "weight: must be a positive number" in error_for(
        tmp_path, GATE + GOOD_TAG.replace('any = ["CT"]', 'any = ["CT"]\n  weight = 0'))
    assert "only allowed at the end" in error_for(tmp_path, GATE + GOOD_TAG.replace('"CT"', '"C*T"'))
    assert "has no letters or digits" in error_for(tmp_path, GATE + GOOD_TAG.replace('"CT"', '"--"'))


def test_tag_without_rules_is_refused(tmp_path):
    message = error_for(tmp_path, GATE + '[[tags]]\nname = "anatomy:brain"\n')
    assert "tag 'anatomy:brain'" in message and "has no rules" in message


def test_invalid_toml_and_missing_file_are_one_line_errors(tmp_path):
    assert "not valid TOML" in error_for(tmp_path, "[[tags]\nname = ")
    with pytest.raises(RuleError, match="cannot read rule file"):
        load_rules(tmp_path / "missing.toml")
