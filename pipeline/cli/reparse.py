"""`paperfeed reparse`: papers rebuilt from kept raw responses, after a parser fix, without fetching."""

from __future__ import annotations

import click

from pipeline.api import ReadOnlyError
from pipeline.cli.core import _feed, _report, cli, fail


@cli.command()
@click.option("--source", help="Only runs of this source.")
@click.option("--since", metavar="YYYY-MM-DD", help="Only responses fetched on or after this day.")
@click.pass_context
def reparse(ctx: click.Context, source: str | None, since: str | None) -> None:
    """Parse the kept raw responses again (needs `[storage] keep_raw = true`) and store the result."""
    try:
        summaries = _feed(ctx).reparse(source=source, since=since)
    except (ValueError, ReadOnlyError) as exc:
        fail(str(exc))
    if not summaries:
        click.echo("paperfeed: no kept responses to reparse (set [storage] keep_raw = true in settings.toml)", err=True)
        return
    _report(summaries)
