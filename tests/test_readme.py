"""The README's two commands are the set-up promise: check the parts that can run offline."""

from __future__ import annotations

import re
import shlex

from click.testing import CliRunner

from conftest import ROOT
from pipeline.cli import cli


def readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    block = re.search(rf"<!-- {marker} -->\s*```sh\n(.*?)\n```", text, re.S)
    assert block, f"README has no {marker} block"
    return block.group(1)


def test_ci_runs_the_readme_test_command():
    assert "awk '/<!-- test-command -->/" in (ROOT / ".ci" / "run").read_text()
    assert readme_command("test-command").endswith("python -m pytest -q")


def test_main_command_ingests_the_bundled_pages_and_summarises_tags(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    steps = [shlex.split(step) for step in readme_command("main-command").split("&&")]
    paperfeed_steps = [step[1:] for step in steps if step[0].endswith("/paperfeed")]
    assert [step[2] for step in paperfeed_steps] == ["ingest", "ingest", "stats"]
    outputs = []
    for args in paperfeed_steps:
        args[args.index("--db") + 1] = str(tmp_path / "papers.db")
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert "13 papers new" in outputs[0] and "64 papers new" in outputs[1]
    assert "77 papers" in outputs[2]
    assert re.search(r"tagged papers: 6\d", outputs[2]) and "modality: xray" in outputs[2]
