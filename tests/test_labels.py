"""Labels: a person's yes/no on a tag overrides the rules in views, exports and the digest, and survives retag."""

from __future__ import annotations

import json

from readdb import MEDICAL_IDS, query, reading_db  # noqa: F401  (fixture)

NOT_MEDICAL = "arxiv:2410.99003"  # tagged medical-imaging + mri by the rules; really MR spectroscopy
MISSED = "arxiv:2407.21721"  # the rules give only task:segmentation


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def exported_ids(run_cli, *tags: str) -> set[str]:
    args = [arg for tag in tags for arg in ("--tag", tag)]
    return {paper["id"] for paper in json.loads(ok(run_cli("export", "--format", "json", *args)).stdout)}


def test_a_no_label_removes_the_paper_from_views_exports_and_digest(run_cli, reading_db):
    assert NOT_MEDICAL in exported_ids(run_cli, "medical-imaging")
    assert "spectroscopy of brain metabolites" in ok(run_cli("digest", "--since", "2024-10-28")).stdout
    ok(run_cli("label", "2410.99003", "medical-imaging", "--no", "--note", "spectroscopy, no images",
               "--who", "ann"))
    assert exported_ids(run_cli, "medical-imaging") == MEDICAL_IDS - {NOT_MEDICAL}
    # A paper that is not medical imaging keeps none of the tags that depend on it.
    assert NOT_MEDICAL not in exported_ids(run_cli, "modality:mri")
    assert NOT_MEDICAL not in {row[0] for row in query(reading_db, "SELECT id FROM medical_imaging_papers")}
    tags = dict(query(reading_db, "SELECT id, tags FROM papers_with_tags"))
    assert json.loads(tags[NOT_MEDICAL]) == []
    title = "Magnetic resonance spectroscopy of brain metabolites without imaging"
    digest = ok(run_cli("digest", "--since", "2024-10-28")).stdout
    assert "Brain tumour segmentation" in digest and title not in digest
    # The paper itself and the rules' own rows are untouched.
    assert query(reading_db, "SELECT count(*) FROM paper_tags WHERE paper_id = ?", (NOT_MEDICAL,))[0][0] == 3


def test_a_yes_label_adds_a_tag_with_who_and_note_as_its_evidence(run_cli, reading_db):
    ok(run_cli("label", MISSED, "medical-imaging", "--yes", "--note", "figures are CT", "--who", "bo"))
    ok(run_cli("label", MISSED, "modality:ct", "--yes", "--who", "bo"))
    assert MISSED in exported_ids(run_cli, "medical-imaging", "modality:ct")
    hinted = ok(run_cli("label", "arxiv:2407.21783", "modality:ct", "--yes", "--who", "bo"))
    assert "the paper is not medical-imaging" in hinted.stderr
    rows = query(reading_db, "SELECT tag, rule, matched, source FROM effective_tags WHERE paper_id = ? ORDER BY tag",
                 (MISSED,))
    assert rows == [("medical-imaging", "label", "bo: figures are CT", "label"),
                    ("modality:ct", "label", "bo", "label"),
                    ("task:segmentation", "rule:task:segmentation", "semantic segmentation", "rules")]
    modalities = dict(query(reading_db, "SELECT id, modalities FROM medical_imaging_papers"))
    assert json.loads(modalities[MISSED]) == ["ct"]


def test_the_newest_label_wins_and_a_no_on_one_tag_keeps_the_others(run_cli, reading_db):
    paper = "arxiv:2410.99005"  # rules: medical-imaging, mri, ct, segmentation
    ok(run_cli("label", paper, "modality:mri", "--yes", "--who", "ann"))
    ok(run_cli("label", paper, "modality:mri", "--no", "--who", "bo", "--note", "CT only"))
    assert query(reading_db, "SELECT value, who, note FROM labels WHERE paper_id = ?", (paper,)) == [
        ("no", "bo", "CT only")]
    assert json.loads(dict(query(reading_db, "SELECT id, modalities FROM medical_imaging_papers"))[paper]) == ["ct"]


def test_labels_survive_retag(run_cli, reading_db):
    ok(run_cli("label", NOT_MEDICAL, "medical-imaging", "--no", "--who", "ann"))
    ok(run_cli("label", MISSED, "medical-imaging", "--yes", "--who", "ann"))
    retagged = ok(run_cli("retag"))
    assert "changed" in retagged.output  # the rules rewrote the hand-written tags of the test database
    assert query(reading_db, "SELECT paper_id, tag, value FROM labels ORDER BY paper_id") == [
        (MISSED, "medical-imaging", "yes"), (NOT_MEDICAL, "medical-imaging", "no")]
    medical = exported_ids(run_cli, "medical-imaging")
    assert MISSED in medical and NOT_MEDICAL not in medical


def test_export_import_round_trip_into_another_database(run_cli, reading_db, tmp_path, config_dir):
    from click.testing import CliRunner

    from pipeline.cli import cli

    other = tmp_path / "other.db"  # the same papers, no labels yet
    other.write_bytes(reading_db.read_bytes())
    ok(run_cli("label", NOT_MEDICAL, "medical-imaging", "--no", "--who", "ann", "--note", "MRS: \"no\" images"))
    ok(run_cli("label", MISSED, "modality:ct", "--yes", "--who", "bo"))
    exported = ok(run_cli("labels", "export")).stdout
    lines = [json.loads(line) for line in exported.splitlines()]
    assert [(line["paper_id"], line["tag"], line["value"], line["who"]) for line in lines] == [
        (MISSED, "modality:ct", "yes", "bo"), (NOT_MEDICAL, "medical-imaging", "no", "ann")]
    assert lines[1]["note"] == 'MRS: "no" images' and lines[1]["at"].endswith("Z")
    labels_file = tmp_path / "labels.jsonl"
    labels_file.write_text(exported, encoding="utf-8")
    base = ["--db", str(other), "--config", str(config_dir)]
    runner = CliRunner()
    assert query(other, "SELECT count(*) FROM labels")[0][0] == 0
    assert "2 labels imported" in ok(runner.invoke(cli, [*base, "labels", "import", str(labels_file)])).output
    assert ok(runner.invoke(cli, [*base, "labels", "export"])).stdout == exported  # who, note and when kept
    # Importing again replaces, never duplicates; the labels act in the other database too.
    ok(runner.invoke(cli, [*base, "labels", "import", str(labels_file)]))
    assert query(other, "SELECT count(*) FROM labels")[0][0] == 2
    medical = {row[0] for row in query(other, "SELECT id FROM medical_imaging_papers")}
    assert NOT_MEDICAL not in medical and MISSED not in medical  # a modality label alone does not make the gate


def test_bad_labels_are_one_line_and_store_nothing(run_cli, reading_db, tmp_path):
    result = run_cli("label", NOT_MEDICAL, "modality:nosuch", "--no")
    assert result.exit_code == 2 and "unknown tag 'modality:nosuch'" in result.output
    assert "Traceback" not in result.output
    result = run_cli("label", NOT_MEDICAL, "medical-imaging")
    assert result.exit_code == 2 and "--yes or --no" in result.output
    result = run_cli("label", "9999.99999", "medical-imaging", "--yes")
    assert result.exit_code == 1 and "no such paper" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"paper_id": NOT_MEDICAL, "tag": "medical-imaging", "value": "no", "who": "a"}) + "\n"
                   + json.dumps({"paper_id": MISSED, "tag": "medical-imaging", "value": "maybe", "who": "a"}) + "\n")
    result = run_cli("labels", "import", str(bad))
    assert result.exit_code == 2 and "line 2" in result.output and "yes or no" in result.output
    assert query(reading_db, "SELECT count(*) FROM labels")[0][0] == 0
    # A line nested past Python's recursion limit is a bad line like any other, not a crash.
    bad.write_text(json.dumps({"paper_id": NOT_MEDICAL, "tag": "medical-imaging", "value": "no", "who": "a"}) + "\n"
                   + "[" * 100_000 + "]" * 100_000 + "\n")
    result = run_cli("labels", "import", str(bad))
    assert result.exit_code == 2 and "line 2: not JSON: nested too deeply" in result.output, result.output
    assert "Traceback" not in result.output
    assert query(reading_db, "SELECT count(*) FROM labels")[0][0] == 0


def test_rules_check_scores_the_databases_labels(run_cli, reading_db):
    from conftest import ROOT

    from pipeline.tagging import load_rules

    assert run_cli("rules", "check").exit_code == 1  # no labels yet: one line, not "0 papers"
    ok(run_cli("label", NOT_MEDICAL, "medical-imaging", "--no", "--who", "ann"))
    ok(run_cli("label", MISSED, "medical-imaging", "--yes", "--who", "ann"))
    result = ok(run_cli("rules", "check", "--summary"))
    assert result.output.startswith("2 labelled papers, rules ")
    rules = load_rules(ROOT / "config" / "tags.toml")
    texts = dict(((row[0]), (row[1], row[2])) for row in query(
        reading_db, "SELECT id, title, abstract FROM papers WHERE id IN (?, ?)", (NOT_MEDICAL, MISSED)))
    fired = {key: "medical-imaging" in {m.tag for m in rules.tag(*texts[key])} for key in texts}
    tp, fp, fn = int(fired[MISSED]), int(fired[NOT_MEDICAL]), int(not fired[MISSED])
    line = next(line.split() for line in result.output.splitlines() if line.startswith("medical-imaging "))
    assert line[-3:] == [str(tp), str(fp), str(fn)]
