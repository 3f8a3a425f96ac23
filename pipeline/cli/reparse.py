"""`paperfeed reparse`: papers rebuilt from kept raw responses, after a parser fix, without fetching."""

from __future__ import annotations

import click

from datetime import date

from pipeline.cli.core import _pipeline, _report, cli, fail
from pipeline.run.reparse import reparse as replay_kept


@cli.command()
@click.option("--source", help="Only runs of this source.")
@click.option("--since", metavar="YYYY-MM-DD", help="Only responses fetched on or after this day.")
@click.pass_context
def reparse(ctx: click.Context, source: str | None, since: str | None) -> None:
    """Parse the kept raw responses again (needs `[storage] keep_raw = true`) and store the result."""
    pipe = _pipeline(ctx, existing=True)
    if since is not None:
        try:
            date.fromisoformat(since)
        except ValueError:
            fail(f"--since {since!r}: expected YYYY-MM-DD")
    summaries = replay_kept(pipe, source=source, since=since)
    if not summaries:
        click.echo("paperfeed: no kept responses to reparse (set [storage] keep_raw = true in settings.toml)", err=True)
        return
    _report(summaries)
