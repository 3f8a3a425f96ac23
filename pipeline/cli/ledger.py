"""`paperfeed runs` and `paperfeed status`: the run ledger, for people and for monitoring."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click

from pipeline.cli.core import EXIT_FAILED_RUN, _feed, _pipeline, cli, fail
from pipeline.cli.show import paint, print_json, print_table
from pipeline.store import ledger
from pipeline.store.sqlite_version import warn_if_affected

RUN_HEADER = ("run", "started", "source", "day", "status", "http", "bytes", "time", "parsed", "new", "updated",
              "tagged", "error")


def _run_row(row: dict) -> tuple:
    took = f"{row['duration_s']:.2f}s" if row["duration_s"] is not None else None
    return (row["id"], row["started_at"], row["source"], row["listing_date"], row["status"], row["http_status"],
            row["bytes"], took, row["entries_parsed"] or 0, row["papers_new"] or 0, row["papers_updated"] or 0,
            row["papers_tagged"] or 0, row["error"] or "")


@cli.command()
@click.option("--source", help="Only runs of this source.")
@click.option("--status", type=click.Choice(ledger.RUN_STATUSES), help="Only runs with this status.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1_000_000_000),
              help="How many runs to show.")
@click.option("--json", "as_json", is_flag=True, help="The runs as a JSON list, every column of the ledger.")
@click.pass_context
def runs(ctx: click.Context, source: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """List recent runs, newest first: listing day, status, HTTP status, bytes, time, counts, error."""
    store = _pipeline(ctx, existing=True).store
    store.mark_interrupted_runs()  # a run whose process is gone is not `running`, whoever looks first
    rows = ledger.recent_runs(store, source=source, status=status, limit=limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("no runs" + (f" of {source}" if source else "") + (f" with status {status}" if status else ""),
                   err=True)
        return
    print_table(RUN_HEADER, [_run_row(row) for row in rows], colour_of=lambda row: row[4])


def _when(run: dict | None) -> str:
    return f"{run['started_at']} (run {run['id']})" if run else "never"


@cli.command()
@click.option("--at", "at", type=click.DateTime(("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")),
              metavar="TIME", help="Judge as if it were this UTC time (YYYY-MM-DDTHH:MM), e.g. to replay a day.")
@click.option("--json", "as_json", is_flag=True, help="Each source's health and the scheduler's as JSON.")
@click.pass_context
def status(ctx: click.Context, at: datetime | None, as_json: bool) -> None:
    """Health of every enabled source; exits 1 when any failed, is overdue or went silently stale."""
    feed = _feed(ctx, existing=True)
    warn_if_affected()
    if ledger.run_count(feed.store) == 0:
        fail(f"{feed.db_path.resolve()}: no runs recorded yet: nothing is known about the sources"
             " (run `paperfeed ingest --all`, or check --db / PAPERFEED_DB)", EXIT_FAILED_RUN)
    status = feed.status(now=at.replace(tzinfo=timezone.utc) if at else None)
    reports = [{
        "source": health.name, "healthy": health.healthy,
        "state": "FAILING" if not health.healthy else (health.latest["status"] if health.latest else "never run"),
        "last_success": health.last_success, "last_failure": health.last_failure,
        "next_due": health.next_due.strftime("%Y-%m-%dT%H:%M:%SZ") if health.next_due else None,
        "problems": list(health.problems), "low_volume": health.low_volume,
    } for health in status.sources]
    stopped = [finding.reason for finding in status.stopped]
    if as_json:
        print_json({"healthy": status.healthy, "sources": reports, "scheduler": list(status.scheduler),
                    "scheduler_problems": stopped})
    else:
        _print_health(reports, status.scheduler, stopped)
    if not status.healthy:
        click.echo("paperfeed: some sources are failing, overdue or stale, or the scheduler stopped", err=True)
        sys.exit(EXIT_FAILED_RUN)


def _print_health(reports: list[dict], scheduler: tuple[str, ...], stopped: list[str]) -> None:
    width = max([len(report["source"]) for report in reports] + [6])
    click.echo(f"{'source':<{width}}  {'state':<13} last success, last failure, next due")
    for report in reports:
        state = paint(f"{report['state']:<13}", report["state"])
        click.echo(
            f"{report['source']:<{width}}  {state}"
            f" last success {_when(report['last_success'])},"
            f" last failure {_when(report['last_failure'])}, next due {report['next_due'] or '-'}"
        )
        for line in report["problems"]:
            click.echo(f"  {line}")
        if report["low_volume"]:
            click.echo(f"  warning: {report['low_volume']}")
    for line in scheduler:
        click.echo(line)
    for reason in stopped:
        click.echo(f"  {reason}")
