"""Filling in the past, one day at a time, through the same runs as a daily ingest.

`paperfeed backfill SOURCE --since DATE [--until DATE]` walks the days of a
date-addressed source (a kind with `dates`). Every day is walked by
`paging.run_day` under the source's lock, every page one `run_unit`, so a
backfilled day is stored exactly as the daily job would have stored it. A
day that finds another run of the source active records a `skipped` run
and ends the backfill (status `locked`): that run is writing the source.

Resumable: before fetching, the run ledger is asked whether the day (or the
page) is already done (`store.progress`), so a backfill killed half-way
starts again where it stopped; `force` fetches everything again.
Streaming: each page is written and dropped before the next is fetched, and
days are generated lazily, so memory does not grow with the range.
Polite: pacing is the HTTP layer's, per host and across processes; a
rate-limited run stops the backfill rather than pressing on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from pipeline.config import SourceConfig
from pipeline.kinds import KINDS, Unit
from pipeline.run.paging import run_day
from pipeline.run.run import Pipeline, RunSummary, acquire
from pipeline.store.progress import completed_run


class NotBackfillable(ValueError):
    """A source without a past to walk (a rolling feed, a search)."""


@dataclass(frozen=True)
class DayResult:
    day: date
    status: str  # skipped, done, failed, rate-limited, locked
    summaries: tuple[RunSummary, ...] = ()
    completed_by: int | None = None  # for skipped days: the run that had completed it
    pages_skipped: int = 0

    def line(self) -> str:
        if self.status == "skipped":
            return f"{self.day}: already complete (run {self.completed_by}), skipped"
        stored = f" ({self.pages_skipped} page(s) already stored)" if self.pages_skipped else ""
        return "\n".join(f"{self.day}: {s.line()}" for s in self.summaries) + stored


def days_between(since: date, until: date) -> Iterator[date]:
    day = since
    while day <= until:
        yield day
        day += timedelta(days=1)


def backfill(pipe: Pipeline, source: SourceConfig, since: date, until: date, *,
             force: bool = False) -> Iterator[DayResult]:
    """One DayResult per day, oldest first; stops after a rate-limited run or a held lock."""
    if source.kind_type.dates is None:
        dated = sorted(name for name, kind in KINDS.items() if kind.dates is not None)
        raise NotBackfillable(
            f"source {source.name!r} (kind {source.kind}) has no past to walk; "
            f"backfill works for kinds {', '.join(dated)}"
        )
    for day in days_between(since, until):
        if not force:
            done = completed_run(pipe.store, source.name, day.isoformat())
            if done is not None:
                yield DayResult(day, "skipped", completed_by=done)
                continue
        result = _walk_day(pipe, source, day, force)
        yield result
        if result.status in ("rate-limited", "locked"):
            return


def _walk_day(pipe: Pipeline, source: SourceConfig, day: date, force: bool) -> DayResult:
    lock = acquire(pipe, source, day)
    if isinstance(lock, RunSummary):
        return DayResult(day, "locked" if lock.status == "skipped" else "failed", (lock,))
    try:
        walked = run_day(pipe, source, Unit(day=day), skip_stored=not force, lock=lock)
    finally:
        lock.release()
    last = walked.summaries[-1]
    status = "rate-limited" if last.status == "rate-limited" else "failed" if last.failed else "done"
    return DayResult(day, status, walked.summaries, pages_skipped=walked.pages_skipped)
