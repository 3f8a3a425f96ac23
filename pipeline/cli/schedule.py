"""`paperfeed schedule`: the long-running job, its job list and its heartbeat."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import click

from pipeline.api import Feed
from pipeline.cli.core import EXIT_FAILED_RUN, _pipeline, _session, cli, fail
from pipeline.config import ConfigError, ScheduleSettings, load_config
from pipeline.output.terminal import say
from pipeline.run.run import Pipeline
from pipeline.run.liveness import scheduler_state
from pipeline.run.scheduler import Scheduler, build_jobs
from pipeline.delivery.waiting import delivery_jobs
from pipeline.store import Store
from pipeline.store.schedule import SCHEDULER_ROW, heartbeats


@cli.command()
@click.option("--status", is_flag=True, help="Show whether a scheduler is running, and each job's last and next run.")
@click.option("--list", "list_jobs", is_flag=True, help="Show the jobs sources.toml and subscriptions.toml define, then exit.")
@click.pass_context
def schedule(ctx: click.Context, status: bool, list_jobs: bool) -> None:
    """Run every enabled source on its schedule until SIGTERM/SIGINT (exit 0)."""
    session = _session(ctx)
    try:
        config = load_config(session.config_dir)
        if status:
            _show_status(session, config.schedule)
            return
        if list_jobs:
            now = datetime.now(timezone.utc)
            for job in build_jobs(config):
                click.echo(job.describe(now))
            for delivery in delivery_jobs(config):
                click.echo(delivery.describe(now))
            return
        scheduler = Scheduler(config, session.db_path, _pipelines(session), echo=say)
    except ConfigError as exc:
        fail(str(exc))
    logging.basicConfig(level=logging.WARNING, format="paperfeed schedule: %(name)s: %(message)s")
    _pipeline(ctx)  # configuration, tag rules and migrations fail here, once, not in every job
    now = datetime.now(timezone.utc)
    click.echo(f"paperfeed schedule: pid {os.getpid()}, database {session.db_path}", err=True)
    for job in [*scheduler.jobs.values(), *scheduler.deliveries.values()]:
        click.echo(f"  {job.describe(now)}", err=True)
    if not scheduler.serve():
        # A job is still fetching in a worker thread; its run is closed as interrupted. Leave
        # without joining it (the interpreter would wait for the thread at exit).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _pipelines(session: Feed):
    """A fresh store connection per job: SQLite connections stay in the thread that opened them."""

    @contextmanager
    def open_pipeline() -> Iterator[Pipeline]:
        own = Feed(session.db_path, session.config_dir)
        try:
            yield own.pipeline()
        finally:
            own.close()

    return open_pipeline


def _show_status(session: Feed, settings: ScheduleSettings) -> None:
    with Store(session.db_path) as store:
        rows = heartbeats(store)
    state = scheduler_state(rows, settings, datetime.now(timezone.utc))
    own = state.row
    if own is None:
        click.echo("scheduler: never ran on this database")
    else:
        shown = "running" if state.alive else "not running"
        click.echo(f"scheduler: {shown} (pid {own['pid']} on {own['hostname']}, last tick {state.last_tick},"
                   f" next job run {own['next_run_at']})")
    for row in rows:
        if row["job_id"] != SCHEDULER_ROW:
            click.echo(f"  {row['job_id']}: last run {row['last_run_at'] or '-'} {row['last_status'] or ''},"
                       f" next run {row['next_run_at'] or '-'}")
    if not state.alive:
        sys.exit(EXIT_FAILED_RUN)
