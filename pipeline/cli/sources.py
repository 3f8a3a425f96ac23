"""`paperfeed sources`: every configured source with its kind, schedule, last run and next slot."""

from __future__ import annotations

import click

from pipeline.cli.core import _session, cli, fail
from pipeline.config import ConfigError, load_config
from pipeline.run.liveness import next_scheduled_run
from pipeline.store import Store
from pipeline.store.ledger import latest_finished_run


def _last_run(store: Store | None, name: str) -> str:
    run = latest_finished_run(store, name) if store is not None else None
    if run is None:
        return "never"
    return f"{run['status']} {run['finished_at'] or run['started_at']}"


@cli.command()
def sources() -> None:
    """List the configured sources: kind, schedule, last run and next scheduled slot."""
    session = _session(click.get_current_context())
    try:
        config = load_config(session.config_dir)
    except ConfigError as exc:
        fail(str(exc))
    # Reading must not create a database: a fresh checkout simply has no runs yet.
    store = Store(session.db_path) if session.db_path.exists() else None
    try:
        for source in config.sources.values():
            expression, zone = source.schedule_line
            upcoming = next_scheduled_run(source) if source.enabled else None
            state = "" if source.enabled else "  (disabled)"
            click.echo(f"{source.name}  kind {source.kind}{state}")
            click.echo(f"  schedule {expression!r} {zone}; last run {_last_run(store, source.name)};"
                       f" next slot {upcoming.strftime('%Y-%m-%dT%H:%M:%SZ') if upcoming else '-'}")
    finally:
        if store is not None:
            store.close()
