"""`paperfeed rules check`: numbers equal a hand count, every error is listed with its reason, --suggest finds a
planted veto word; the rule language's vocabulary, domain vetoes, repeat and regex safety; why a tag did not fire."""

from __future__ import annotations

import json

import pytest

from pipeline.tagging import RuleError, load_rules
from pipeline.tagging.whynot import why_not

# A small rule file: the gate fires on MRI or CT with a body word; CT scans of castings are another domain.
SMALL_RULES = """
[vocabulary]
body = ["brain", "liver", "patient*"]
industrial = ["casting*", "weld*", "turbine blade*"]

[[tags]]
name = "medical-imaging"
  [[tags.vetoes]]
  name = "industrial-ct"
  any = ["@industrial"]
  unless = ["patient*"]
  [[tags.rules]]
  name = "scan-of-a-body"
  any = ["MRI", "CT"]
  case_sensitive = true
  all = [["@body"]]

[[tags]]
name = "modality:mri"
implies = ["medical-imaging"]
  [[tags.rules]]
  name = "mri-name"
  any = ["MRI"]
  case_sensitive = true
  all = [["@body"]]

[[tags]]
name = "task:segmentation"
requires = ["medical-imaging"]
  [[tags.rules]]
  name = "segmentation-repeated"
  any = ["segment*"]
  repeat = 2
"""

# Hand-made: what each paper exercises is in its title. Hand count below.
PAPERS = [
    # gate TP, mri TP, segmentation TP (title)
    {"id": "p1", "title": "Brain MRI segmentation", "abstract": "We segment the brain.",
     "labels": {"medical-imaging": True, "modalities": ["mri"], "tasks": ["segmentation"]}},
    # gate FP, mri FP: an MRI of a phantom that mentions the brain
    {"id": "p2", "title": "MRI phantom study", "abstract": "A phantom shaped like a brain.",
     "labels": {"medical-imaging": False, "modalities": [], "tasks": []}},
    # gate FN: ultrasound, no rule covers it
    {"id": "p3", "title": "Ultrasound of the liver", "abstract": "Liver lesions in patients.",
     "labels": {"medical-imaging": True, "modalities": [], "tasks": []}},
    # true negative: CT of castings, vetoed
    {"id": "p4", "title": "CT of aluminium castings", "abstract": "Pores in castings, like a liver.",
     "labels": {"medical-imaging": False, "modalities": [], "tasks": []}},
    # gate TP through the veto's exception; segmentation FN (mentioned once in the abstract)
    {"id": "p5", "title": "CT after weld injuries", "abstract": "CT of patients; we segment burns.",
     "labels": {"medical-imaging": True, "modalities": [], "tasks": ["segmentation"]}},
]


@pytest.fixture
def small_config(config_dir):
    (config_dir / "tags.toml").write_text(SMALL_RULES, encoding="utf-8")
    return config_dir


@pytest.fixture
def labelled(tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    return path


def score_line(output: str, tag: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith(tag + " "))


def test_scores_equal_a_hand_count_and_every_error_is_listed(run_cli, small_config, labelled):
    result = run_cli("rules", "check", "--labels", str(labelled))
    assert result.exit_code == 0, result.output
    out = result.output
    # medical-imaging: TP p1 p5, FP p2, FN p3 -> P 2/3, R 2/3
    assert score_line(out, "medical-imaging") == ["medical-imaging", "0.667", "0.667", "0.667", "2", "1", "1"]
    # mri: TP p1, FP p2, no FN -> P 1/2, R 1, F1 2/3
    assert score_line(out, "modality:mri") == ["modality:mri", "0.500", "1.000", "0.667", "1", "1", "0"]
    # segmentation: TP p1 (title), FN p5 (once in the abstract) -> P 1, R 1/2
    assert score_line(out, "task:segmentation") == ["task:segmentation", "1.000", "0.500", "0.667", "1", "0", "1"]
    assert "FP p2  MRI phantom study" in out
    assert "rule scan-of-a-body, title: MRI; brain" in out
    assert "FN p3  Ultrasound of the liver" in out
    assert "closest rule 'scan-of-a-body' lacked none of its words (\"MRI\", \"CT\")" in out
    assert "its words occur 1x in the abstract, 2x needed (or once in the title)" in out
    assert "p4" not in out  # a true negative is not an error


def test_suggest_proposes_the_word_planted_in_false_positives(run_cli, small_config, tmp_path):
    planted = [{"id": f"fp{n}", "title": f"MRI of a brain-shaped gel number {n}",
                "abstract": "Agarose gel scanned to calibrate the scanner.",
                "labels": {"medical-imaging": False}} for n in range(3)]
    real = [{"id": f"tp{n}", "title": f"Brain MRI cohort {n}", "abstract": "Patients scanned for tumours.",
             "labels": {"medical-imaging": True}} for n in range(5)]
    path = tmp_path / "planted.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in planted + real), encoding="utf-8")
    result = run_cli("rules", "check", "--labels", str(path), "--suggest", "--summary")
    assert result.exit_code == 0, result.output
    lines = result.output.split("medical-imaging: candidate vetoes")[1].splitlines()[1:]
    proposed = [line.split("'")[1] for line in lines if line.startswith("  '")]
    assert "gel" in proposed and "agarose" in proposed
    assert "brain" not in proposed and "mri" not in proposed  # in every true positive too
    assert "FP fp0" not in result.output  # --summary leaves the papers out


def test_bad_label_file_is_one_line_exit_2(run_cli, small_config, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"title": "x", "labels": {"modalities": ["nosuch"]}}) + "\n", encoding="utf-8")
    result = run_cli("rules", "check", "--labels", str(path))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"paperfeed: {path}: line 1: unknown tag 'modality:nosuch' in 'modalities'"]


def test_domain_veto_with_its_exception(tmp_path):
    rules_path = tmp_path / "tags.toml"
    rules_path.write_text(SMALL_RULES, encoding="utf-8")
    rules = load_rules(rules_path)
    tags = lambda title, abstract: [m.tag for m in rules.tag(title, abstract)]  # noqa: E731
    assert tags("CT of turbine blades", "Cracks, as in a liver") == []
    assert tags("CT of turbine blades", "Patients who build them, liver") == ["medical-imaging"]
    diagnosis = why_not(rules, "CT of turbine blades", "Cracks, as in a liver", "medical-imaging", set())
    assert diagnosis.lacked.startswith("domain veto 'industrial-ct' on \"turbine blades\", and none of its "
                                       "exceptions (\"patient*\")")


def test_why_the_gate_did_not_fire_names_the_closest_rule(small_config):
    diagnosis = why_not(load_rules(small_config / "tags.toml"), "Ultrasound of the liver",
                        "Liver lesions in patients.", "medical-imaging", set())
    assert diagnosis.rule == "scan-of-a-body"
    assert diagnosis.lacked == "closest rule 'scan-of-a-body' lacked none of its words (\"MRI\", \"CT\")"


@pytest.mark.parametrize("pattern", [r"(a+)+b", r"(\w+\s?)*:", r"(?:x|(?:ab)*)*c"])
def test_a_catastrophic_regex_is_refused_at_load_naming_file_and_rule(tmp_path, pattern, run_cli, config_dir):
    rules_path = config_dir / "tags.toml"
    rules_path.write_text(SMALL_RULES + f"\n  [[tags.rules]]\n  name = \"slow\"\n  regex = ['{pattern}']\n",
                          encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(rules_path)
    message = str(caught.value)
    assert message.startswith(f"{rules_path}: tag 'task:segmentation': rule 'slow': regex")
    assert "exponential time" in message
    papers = tmp_path / "papers.jsonl"
    papers.write_text('{"title": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}\n', encoding="utf-8")
    result = run_cli("tag", str(papers))
    assert result.exit_code == 2 and "rule 'slow'" in result.output and "Traceback" not in result.output


def test_a_bounded_repeat_around_a_repeat_is_allowed(tmp_path):
    rules_path = tmp_path / "tags.toml"
    rules_path.write_text(SMALL_RULES + "\n  [[tags.rules]]\n  name = \"release\"\n"
                          "  regex = [' we release (?:\\w+ ){0,3}dataset ']\n", encoding="utf-8")
    rules = load_rules(rules_path)
    assert [m.tag for m in rules.tag("Brain MRI", "Here we release a new brain dataset.")] == [
        "medical-imaging", "modality:mri", "task:segmentation"]


@pytest.mark.parametrize("broken, message", [
    ('any = ["@nosuch"]', "unknown vocabulary '@nosuch'"),
    ("repeat = 0", "repeat must be a whole number from 1 to 20"),
])
def test_bad_vocabulary_and_repeat_name_the_rule(tmp_path, broken, message):
    rules_path = tmp_path / "tags.toml"
    rules_path.write_text(SMALL_RULES + f"\n  [[tags.rules]]\n  name = \"bad\"\n  any = [\"x\"]\n  {broken}\n"
                          .replace('any = ["x"]\n  any', "any"), encoding="utf-8")
    with pytest.raises(RuleError, match=message) as caught:
        load_rules(rules_path)
    assert "tag 'task:segmentation': rule 'bad'" in str(caught.value)
