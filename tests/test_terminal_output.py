"""Escape sequences carried by titles, file names and error texts never reach the terminal.

Hand-made: the real HF API sample with a title carrying an OSC window-title
sequence and a screen clear, and a bad file whose name carries the same.
"""

from __future__ import annotations

import json

from conftest import HF_API
from pipeline.output.escape import terminal_text

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m"


def test_terminal_text_turns_every_control_character_into_a_space():
    assert terminal_text(f"a{ESCAPES}b") == "a ]0;pwned  [2J 31mb"


def test_explain_shows_a_hostile_title_without_its_escapes(run_cli, tmp_path):
    answer = json.loads(HF_API.read_text())
    answer[0]["title"] = answer[0]["paper"]["title"] = f"Segmenting MRI{ESCAPES} safely"
    sample = tmp_path / "hostile.json"
    sample.write_text(json.dumps(answer))
    assert run_cli("ingest", str(sample)).exit_code == 0
    result = run_cli("explain", answer[0]["paper"]["id"])
    assert result.exit_code == 0, result.output
    assert "Segmenting MRI ]0;pwned  [2J 31m safely" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "\x9b" not in result.output


def test_the_ingest_error_line_and_runs_carry_no_escapes(run_cli, tmp_path):
    bad = tmp_path / f"notes{ESCAPES}.json"
    bad.write_text("not a listing")
    failed = run_cli("ingest", str(bad))
    assert failed.exit_code == 1 and "failed" in failed.output
    listed = run_cli("runs")
    assert "notes ]0;pwned" in failed.output and "notes ]0;pwned" in listed.output
    for output in (failed.output, listed.output):
        assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output
