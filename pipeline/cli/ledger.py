"""`paperfeed runs` and `paperfeed status`: the run ledger, for people and for monitoring."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click

from pipeline.cli.core import EXIT_FAILED_RUN, _feed, _pipeline, cli
from pipeline.output.terminal import say
from pipeline.store import ledger


def _run_line(row: dict) -> str:
    http = f" http={row['http_status']}" if row["http_status"] is not None else ""
    size = f" bytes={row['bytes']}" if row["bytes"] is not None else ""
    took = f" {row['duration_s']:.2f}s" if row["duration_s"] is not None else ""
    error = f"  {row['error']}" if row["error"] else ""
    return (
        f"{row['id']:>5}  {row['started_at']}  {row['source']:<24} {row['status']:<13}{http}{size}{took}"
        f" parsed={row['entries_parsed'] or 0} new={row['papers_new'] or 0}"
        f" updated={row['papers_updated'] or 0} tagged={row['papers_tagged'] or 0}{error}"
    )


@cli.command()
@click.option("--source", help="Only runs of this source.")
@click.option("--status", help="Only runs with this status (ok, not-modified, empty, failed, ...).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1_000_000_000),
              help="How many runs to show.")
@click.pass_context
def runs(ctx: click.Context, source: str | None, status: str | None, limit: int) -> None:
    """List recent runs, newest first: status, HTTP status, bytes, time, counts, error."""
    store = _pipeline(ctx).store
    store.mark_interrupted_runs()  # a run whose process is gone is not `running`, whoever looks first
    for row in ledger.recent_runs(store, source=source, status=status, limit=limit):
        say(_run_line(row))


def _when(run: dict | None) -> str:
    return f"{run['started_at']} (run {run['id']})" if run else "never"


@cli.command()
@click.option("--at", "at", type=click.DateTime(("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")),
              metavar="TIME", help="Judge as if it were this UTC time (YYYY-MM-DDTHH:MM), e.g. to replay a day.")
@click.pass_context
def status(ctx: click.Context, at: datetime | None) -> None:
    """Health of every enabled source; exits 1 when any failed, is overdue or went silently stale."""
    status = _feed(ctx).status(now=at.replace(tzinfo=timezone.utc) if at else None)
    for health in status.sources:
        state = "FAILING" if not health.healthy else (health.latest["status"] if health.latest else "never run")
        due = health.next_due.strftime("%Y-%m-%dT%H:%M:%SZ") if health.next_due else "-"
        click.echo(
            f"{health.name:<28} {state:<13} last success {_when(health.last_success)},"
            f" last failure {_when(health.last_failure)}, next due {due}"
        )
        for line in health.problems:
            say(f"  {line}")
        if health.low_volume:
            click.echo(f"  warning: {health.low_volume}")
    for line in status.scheduler:
        click.echo(line)
    for finding in status.stopped:
        click.echo(f"  {finding.reason}")
    if not status.healthy:
        click.echo("paperfeed: some sources are failing, overdue or stale, or the scheduler stopped", err=True)
        sys.exit(EXIT_FAILED_RUN)
