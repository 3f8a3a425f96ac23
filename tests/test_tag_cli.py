"""Tags through the CLI: at ingest, `tag` on JSON lines, `retag` after a rule change, `explain`."""

from __future__ import annotations

import json
import sqlite3

from conftest import FIXTURES

CS_AI = FIXTURES / "arxiv" / "rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml"
DEVSET = FIXTURES / "tagging" / "devset.jsonl"


def tag_counts(db_path):
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("select tag, count(*) from paper_tags group by tag"))


def test_ingest_tags_in_the_same_run_with_the_rules_version(run_cli, db_path):
    result = run_cli("ingest", str(CS_AI))
    assert result.exit_code == 0, result.output
    counts = tag_counts(db_path)
    # The cs.AI feed of 2025-08-20 has one chest X-ray nodule-detection paper and one fMRI paper.
    assert counts["medical-imaging"] == 2 and counts["modality:xray"] == 1 and counts["modality:mri"] == 1
    assert "2 tagged" in result.output
    with sqlite3.connect(db_path) as conn:
        versions = {row[0] for row in conn.execute("select rules_version from paper_tags")}
        tagged_run = conn.execute("select papers_tagged from runs").fetchone()[0]
    assert len(versions) == 1 and len(versions.pop()) >= 8
    assert tagged_run == 2


def test_explain_names_the_words_behind_each_tag(run_cli):
    assert run_cli("ingest", str(CS_AI)).exit_code == 0
    result = run_cli("explain", "2508.13236")
    assert result.exit_code == 0, result.output
    assert "Pulmonary Nodule Detection on Chest X-Ray" in result.output
    xray_line = next(line for line in result.output.splitlines() if "modality:xray" in line)
    assert "X-Ray" in xray_line and "title" in xray_line
    missing = run_cli("explain", "9999.99999")
    assert missing.exit_code == 1 and "no such paper" in missing.stderr


def test_explain_says_why_the_gate_did_not_fire_and_shows_labels(run_cli):
    assert run_cli("ingest", str(CS_AI)).exit_code == 0
    result = run_cli("explain", "2508.13167")  # Chain-of-Agents: nothing medical
    assert result.exit_code == 0, result.output
    assert "  no tags" in result.output
    why = next(line for line in result.output.splitlines() if "did not fire" in line)
    assert why.startswith("  medical-imaging did not fire: ") and "closest rule '" in why and "lacked" in why
    labelled = run_cli("label", "2508.13167", "medical-imaging", "--no", "--who", "ann", "--note", "agents")
    assert labelled.exit_code == 0, labelled.output
    assert "medical-imaging              label no by ann, " in run_cli("explain", "2508.13167").output


def test_tag_command_tags_json_lines_without_a_database(run_cli, db_path, tmp_path):
    lines = DEVSET.read_text().splitlines()[:5]
    source = tmp_path / "papers.jsonl"
    source.write_text("\n".join(lines) + "\n")
    result = run_cli("tag", str(source), "--explain")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5 and all("tags" in paper and "tag_evidence" in paper for paper in out)
    assert "modality:histopathology" in out[0]["tags"]  # PixCell, digital histopathology
    assert not db_path.exists()


def test_tag_command_reports_a_bad_line_by_number(run_cli, tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"title": "ok"}\nnot json\n')
    result = run_cli("tag", str(source))
    assert result.exit_code == 2 and "line 2: not JSON" in result.stderr


def test_retag_reports_what_a_rule_change_did_and_then_no_change(run_cli, config_dir):
    assert run_cli("ingest", str(CS_AI)).exit_code == 0
    rules = config_dir / "tags.toml"
    # Drop the MRI acronym rule: the fMRI paper loses modality:mri (and the gate it implied).
    rules.write_text(rules.read_text().replace('"MRI", "fMRI", "dMRI"', '"XXMRI"'))
    first = run_cli("retag")
    assert first.exit_code == 0, first.output
    assert "1 changed" in first.stdout and "modality:mri: +0 -1" in first.stdout
    second = run_cli("retag")
    assert "no change" in second.stdout


def test_broken_rules_refuse_to_ingest_and_name_the_tag(run_cli, config_dir, db_path):
    rules = config_dir / "tags.toml"
    text = rules.read_text().replace('  name = "mri-acronym"', '  name = "mri-acronym"\n  regex = ["(unclosed"]', 1)
    rules.write_text(text)
    result = run_cli("ingest", str(CS_AI))
    assert result.exit_code == 2
    assert "tags.toml" in result.stderr and "modality:mri" in result.stderr and "regex" in result.stderr
    assert "Traceback" not in result.output
    assert not db_path.exists() or tag_counts(db_path) == {}
