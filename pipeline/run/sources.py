"""Running a configured source for a request: one day, or today plus what downtime missed.

`paperfeed ingest SOURCE`, `paperfeed ingest --all` and each scheduled job
come through `run_source`, which takes the source's cross-process lock for
the whole request, works out which days to fetch (`units.days_to_fetch`),
and runs each day's pages (`paging.run_day`, each page one `run_unit`).
A run that finds the lock held is recorded as `skipped` ("another run of
SOURCE is active") instead of writing a second copy of the same listing.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timezone

from pipeline.config import SourceConfig
from pipeline.kinds import Unit
from pipeline.run.paging import run_day
from pipeline.run.run import Pipeline, RunSummary, acquire
from pipeline.run.units import days_to_fetch
from pipeline.store.schedule import close_running_runs, record_run

logger = logging.getLogger("paperfeed.runner")


def run_source(pipe: Pipeline, source: SourceConfig, *, day: date | None = None, query: str | None = None,
               catch_up: bool = False, slot: datetime | None = None, now: datetime | None = None,
               stop: threading.Event | None = None) -> list[RunSummary]:
    """Ingest a source under its lock: one given day, or today plus missed days (`catch_up`).

    `stop` is checked between days, so a shutdown never starts another fetch;
    days left undone are missing days for the next run.
    """
    lock = acquire(pipe, source, day)
    if isinstance(lock, RunSummary):
        return [lock]
    try:
        if catch_up and day is None and query is None:
            now = now or datetime.now(timezone.utc)
            days = days_to_fetch(pipe.store, source, now=now, window=pipe.config.catch_up_days(source), slot=slot)
        else:
            days = [day]
        summaries = []
        for each in days:
            if stop is not None and stop.is_set():
                break
            summaries.extend(run_day(pipe, source, Unit(day=each, query=query), lock=lock).summaries)
        return summaries
    finally:
        lock.release()


def run_guarded(pipe: Pipeline, source: SourceConfig, **options) -> list[RunSummary]:
    """`run_source`, with any exception it lets escape recorded as a failed run.

    Expected failures are already failed runs; this catches the rest (a
    misconfigured source, a bug), so one source never stops the others or
    the scheduler, and no run is left `running` by a live process.
    """
    try:
        return run_source(pipe, source, **options)
    except Exception as exc:  # noqa: BLE001 - recorded in the ledger, never fatal to the caller
        logger.debug("run of %s raised", source.name, exc_info=True)
        error = " ".join(f"{type(exc).__name__}: {exc}".split())
        closed = close_running_runs(pipe.store, "failed", error, source=source.name)
        run_id = closed[-1] if closed else record_run(pipe.store, source.name, source.name, "failed", error)
        return [RunSummary(run_id=run_id, source=source.name, target=source.name, status="failed", error=error)]


def run_all(pipe: Pipeline, *, now: datetime | None = None) -> list[RunSummary]:
    """Every enabled source once, each with its catch-up: what one cron line needs."""
    summaries: list[RunSummary] = []
    for source in pipe.config.sources.values():
        if source.enabled:
            summaries.extend(run_guarded(pipe, source, catch_up=True, now=now))
    return summaries
