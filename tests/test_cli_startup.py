"""Every command starts fast: the command modules, parsers, HTTP and the scheduler load only where used.

Not timed (timings are `bench/`'s job): these tests check what a process has
imported, which is what the start-up time follows from.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click

from conftest import ROOT
from pipeline.cli import cli
from pipeline.cli.commands import COMMANDS, load_all
from pipeline.store import Store

HEAVY = ("bs4", "requests", "feedparser", "apscheduler", "pipeline.http.client")


def imported_after(code: str) -> list[str]:
    """The HEAVY modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_html_parser_http_client_feedparser_or_scheduler():
    assert imported_after("import pipeline.cli") == []


def test_help_lists_every_command_without_importing_them():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom pipeline.cli import cli\n"
            "out = CliRunner().invoke(cli, ['--help']).output\nassert 'search' in out and 'ingest' in out, out")
    assert imported_after(code) == []


def test_search_of_a_migrated_database_loads_only_what_the_query_needs(tmp_path):
    db = tmp_path / "papers.db"
    Store(db).close()
    code = ("import sys\nfrom click.testing import CliRunner\nfrom pipeline.cli import cli\n"
            f"result = CliRunner().invoke(cli, ['--db', {str(db)!r}, 'search', 'segmentation'])\n"
            "assert result.exit_code == 0, result.output")
    assert imported_after(code) == []


def test_the_command_table_names_each_commands_module_and_summary():
    load_all()
    registered = {name: command for name, command in cli.commands.items() if not command.hidden}
    assert sorted(registered) == sorted(COMMANDS), "add new commands to pipeline/cli/commands.py"
    for name, command in registered.items():
        module, summary = COMMANDS[name]
        assert command.callback.__module__ == module, name
        assert summary == command.get_short_help_str(limit=1000), f"{name}: summary differs from the docstring"


def test_an_unknown_command_is_still_a_usage_error():
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2 and "No such command" in result.output
    assert isinstance(cli, click.Group)
