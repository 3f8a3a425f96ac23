"""`paperfeed doctor`: configuration, rules, database, SQLite build, lock and pace files, hosts."""

from __future__ import annotations

import dataclasses
import sys

import click

from pipeline.cli.core import EXIT_FAILED_RUN, _session, cli, fail
from pipeline.cli.show import paint, print_json
from pipeline.config import ConfigError
from pipeline.run.doctor import diagnose


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="The findings as a JSON list.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Check everything paperfeed depends on and say what to do about each problem; exit 1 on any."""
    session = _session(ctx)
    try:
        db_path = session.db_path
    except ConfigError as exc:  # [storage] db itself unreadable: the rest still says what it can
        fail(str(exc))
    findings = diagnose(session.config_dir, db_path)
    problems = [finding for finding in findings if not finding.ok]
    if as_json:
        print_json([dataclasses.asdict(finding) for finding in findings])
    else:
        width = max(len(finding.what) for finding in findings)
        for finding in findings:
            mark = paint("ok     ", "ok") if finding.ok else paint("PROBLEM", "failed")
            click.echo(f"{mark}  {finding.what:<{width}}  {finding.found}")
            if finding.remedy:
                click.echo(f"         {'':<{width}}  -> {finding.remedy}")
        click.echo(f"{len(problems)} problem(s)" if problems else "no problems", err=bool(problems))
    if problems:
        sys.exit(EXIT_FAILED_RUN)
