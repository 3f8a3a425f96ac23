"""`paperfeed backfill`: fill in past days of a date-addressed source."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from pipeline.api import ReadOnlyError, UnknownTarget
from pipeline.cli.core import EXIT_FAILED_RUN, _feed, _parse_day, cli, fail
from pipeline.run.backfill import NotBackfillable, days_between
from pipeline.run.run import today_utc


@cli.command()
@click.argument("source_name", metavar="SOURCE")
@click.option("--since", required=True, metavar="YYYY-MM-DD", help="First day to fill in.")
@click.option("--until", metavar="YYYY-MM-DD", help="Last day to fill in (default: yesterday, UTC).")
@click.option("--force", is_flag=True, help="Fetch days and pages again even if already complete.")
@click.pass_context
def backfill(ctx: click.Context, source_name: str, since: str, until: str | None, force: bool) -> None:
    """Fill in SOURCE's listings from --since to --until, one run per day (and page).

    Days already complete are skipped, so an interrupted backfill picks up
    where it stopped. A progress bar on a terminal, one line per day otherwise.
    """
    feed = _feed(ctx)
    first = _parse_day(since, "--since")
    last = _parse_day(until, "--until") or today_utc() - timedelta(days=1)
    try:
        results = feed.backfill(source_name, first, last, force=force)
    except (UnknownTarget, ReadOnlyError, ValueError) as exc:
        fail(str(exc))
    total = sum(1 for _ in days_between(first, last))
    counts = {"done": 0, "skipped": 0, "failed": 0, "rate-limited": 0, "locked": 0}
    try:
        if sys.stderr.isatty():
            with click.progressbar(length=total, label=f"backfill {source_name}", file=sys.stderr) as bar:
                for result in results:
                    counts[result.status] += 1
                    if result.status in ("failed", "rate-limited", "locked"):
                        click.echo(f"\n{result.line()}", err=True)
                    bar.update(1)
        else:
            for result in results:
                counts[result.status] += 1
                click.echo(result.line(), err=result.status in ("failed", "rate-limited", "locked"))
    except NotBackfillable as exc:
        fail(str(exc))
    stopped = (" (stopped: rate-limited)" if counts["rate-limited"] else
               f" (stopped: another run of {source_name} is active)" if counts["locked"] else "")
    click.echo(
        f"backfill {source_name} {first}..{last}: {counts['done']} days fetched, {counts['skipped']} already complete,"
        f" {counts['failed'] + counts['rate-limited']} failed{stopped}"
    )
    if counts["failed"] or counts["rate-limited"] or counts["locked"]:
        sys.exit(EXIT_FAILED_RUN)
