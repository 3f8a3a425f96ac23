"""What fires and what does not: acronyms, exclusions, implications, evidence, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.tagging import TagMatch, load_rules
from pipeline.tagging.detex import detex, matching_form

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(ROOT / "config" / "tags.toml")
EDGE_CASES = [json.loads(line) for line in (ROOT / "fixtures" / "tagging" / "edge_cases.jsonl").open(encoding="utf-8")]


def tags_of(title: str, abstract: str | None = None) -> set[str]:
    return {match.tag for match in RULES.tag(title, abstract)}


@pytest.mark.parametrize("case", EDGE_CASES, ids=[case["exercises"] for case in EDGE_CASES])
def test_edge_case(case):
    got = tags_of(case["title"], case["abstract"])
    assert set(case["expect"]) <= got, f"missing {set(case['expect']) - got}"
    assert not set(case["reject"]) & got, f"unexpected {set(case['reject']) & got}"


@pytest.mark.parametrize("text", ["CT", "CTs", "CT-based", "(CT)", "PET/CT", "CT,"])
def test_ct_acronym_matches_with_plural_hyphen_and_punctuation(text):
    assert "modality:ct" in tags_of(f"Segmentation of the liver in {text} scans of patients")


@pytest.mark.parametrize("text", ["ct", "Ct", "predict", "structure", "CTRL", "ACT"])
def test_ct_acronym_needs_exact_case_and_word_boundaries(text):
    assert "modality:ct" not in tags_of(f"Segmentation of the liver in {text} scans of patients")


@pytest.mark.parametrize("text", ["X-ray", "X ray", "Xray", "X-rays", "x-ray", "radiograph", "radiographs"])
def test_xray_spellings(text):
    assert "modality:xray" in tags_of(f"Pneumonia classification on chest {text} images")


def test_radiographer_is_a_profession_not_a_radiograph():
    assert "modality:xray" not in tags_of("Scheduling radiographers in hospitals")


def test_implied_tag_carries_evidence_of_the_tag_that_implied_it():
    matches = {m.tag: m for m in RULES.tag("Mammography screening with deep learning", None)}
    assert matches["modality:xray"].rule == "implied by modality:mammography"
    assert matches["modality:xray"].matched == matches["modality:mammography"].matched == "Mammography"
    assert matches["medical-imaging"].rule.startswith("implied by modality:")


def test_evidence_names_rule_field_and_words_as_written():
    matches = {m.tag: m for m in RULES.tag("Brain MRI segmentation", "We segment gliomas in MRI scans.")}
    mri = matches["modality:mri"]
    assert mri == TagMatch("modality:mri", "mri-acronym", "title+abstract", "MRI")
    assert matches["anatomy:brain"].field == "title+abstract"
    assert "gliomas" in matches["anatomy:brain"].matched
    assert matches["task:segmentation"].matched == "segmentation; segment"


def test_evidence_quotes_the_de_texed_text():
    matches = {m.tag: m for m in RULES.tag("Stain transfer", r"Translating \emph{H\&E} whole slide images.")}
    assert "H&E" in matches["modality:histopathology"].matched or "whole slide" in matches["modality:histopathology"].matched
    histo = RULES.tag("H\\&E image analysis of tumour tissue", None)
    assert any(m.tag == "modality:histopathology" and "H&E" in m.matched for m in histo)


def test_title_match_counts_more_than_abstract_match():
    # the co-occurrence rule alone scores 1 in the abstract (below the gate's threshold of 2)
    # and 2 when it fires in the title
    assert "medical-imaging" not in tags_of("A study", "Patients' images were collected.")
    assert "medical-imaging" in tags_of("Images of patients", "A study.")


def test_tags_come_in_rule_file_order_and_are_deterministic():
    title, abstract = "Chest X-ray and CT report generation", "Radiologists write reports on lung CT scans of patients."
    first = RULES.tag(title, abstract)
    names = [m.tag for m in first]
    assert names == sorted(names, key=RULES.tags.index)
    assert first == RULES.tag(title, abstract)
    assert first == load_rules(ROOT / "config" / "tags.toml").tag(title, abstract)


def test_missing_abstract_is_allowed():
    assert "modality:ct" in tags_of("Low-dose CT denoising of abdominal scans", None)
    assert RULES.tag("", None) == []


def test_detex_keeps_words_and_drops_markup():
    assert detex(r"H\&E-stained \textbf{\emph{WSI}} at 20$\times$, $T_1$-weighted") == "H&E-stained WSI at 20 , T_1-weighted"
    assert detex("  line\nbreaks\t and  spaces ") == "line breaks and spaces"
    assert detex(r"Fr\'echet distance") == "Frechet distance"


def test_matching_form_is_aligned_with_the_readable_text():
    for text in ["PET/CT-based", "Fréchet Distance", "İstanbul CT"]:
        assert len(matching_form(text)) == len(text) + 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=600)))
def test_any_text_tags_without_error_and_deterministically(title, abstract):
    first = RULES.tag(title, abstract)
    assert first == RULES.tag(title, abstract)
    for match in first:
        assert match.tag in RULES.tags
        assert match.field in ("title", "abstract", "title+abstract")
