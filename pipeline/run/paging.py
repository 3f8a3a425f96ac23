"""One listing day, every page its own run, with a hard stop (`run_day`).

Ingest and backfill both walk a paged day here. The day ends when a page
says it is the last, when a run fails or is skipped, or at a hard stop that
adds a note to the last run: the next page would start past the total the
server reported, or the day reached `[schedule] max_pages_per_day`. A page
whose bodies repeat the previous page's (a server ignoring `start`) fails
in `run_unit` without storing anything, and ends the day too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pipeline.config import SourceConfig
from pipeline.kinds import Unit
from pipeline.run.locking import SourceLock
from pipeline.run.run import Pipeline, RunSummary, run_unit
from pipeline.store.progress import page_done


@dataclass(frozen=True)
class DayRun:
    """The runs of one day's pages, and how many stored pages a resumed walk did not fetch again."""

    summaries: tuple[RunSummary, ...]
    pages_skipped: int = 0


def run_day(pipe: Pipeline, source: SourceConfig, unit: Unit = Unit(), *, skip_stored: bool = False,
            lock: SourceLock | None = None) -> DayRun:
    """Every page of the unit's day from `unit.page` on; `skip_stored` passes pages the ledger has.

    `lock` is the source's lock when the caller holds it (see `run_unit`)."""
    kind = source.make(pipe.config.http)
    limit = pipe.config.schedule.max_pages_per_day
    summaries: list[RunSummary] = []
    skipped = 0
    page, previous = unit.page, None
    while True:
        if skip_stored:
            plan = kind.plan(replace(unit, page=page))
            if plan.page_step and page_done(pipe.store, source.name, plan.target):
                skipped += 1
                page, previous = (page or 0) + plan.page_step, None
                continue
        summary = run_unit(pipe, source, replace(unit, page=page), repeats=previous, lock=lock)
        summaries.append(summary)
        if summary.failed or summary.status == "skipped" or summary.next_page is None:
            return DayRun(tuple(summaries), skipped)
        stop = _hard_stop(summary, page or 0, len(summaries) + skipped, limit)
        if stop:
            pipe.store.add_run_note(summary.run_id, stop)
            summaries[-1] = replace(summary, notes=(*summary.notes, stop))
            return DayRun(tuple(summaries), skipped)
        page, previous = summary.next_page, summary.digest


def _hard_stop(summary: RunSummary, start: int, pages: int, limit: int) -> str | None:
    """Why the day must end although the page points to a next one, or None."""
    following = summary.next_page
    if following <= start:
        return f"the next page would start at {following}, not after {start}: the day ends here incomplete"
    if summary.total is not None and following >= summary.total:
        return (f"the next page would start at {following}, past the {summary.total} results reported:"
                " the day ends here")
    if pages >= limit:
        return f"stopped after {pages} pages ([schedule] max_pages_per_day = {limit}): the day ends here incomplete"
    return None
