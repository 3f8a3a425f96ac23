"""Rebuilding papers from kept raw responses, without fetching (`paperfeed reparse`).

A replayed run goes through the same code as a live one (`run_unit`, or
`ingest_url` for an ad-hoc URL) with a `Replay` in place of the conditional
fetcher: the source's own logic (paging, the HTML fallback, the day check)
decides again what the responses mean, now with the current parsers. A
configured source is replayed as itself, under its name and its lock, with
the unit (day, page, query) its run asked for. Each replay is a new run in
the ledger, noted as reparsed from the run that fetched.
"""

from __future__ import annotations

from datetime import date

from pipeline.config import SourceConfig
from pipeline.kinds import Unit
from pipeline.run.fetchers import Replay
from pipeline.run.run import Pipeline, RunSummary, ingest_url, refuse, run_unit
from pipeline.store import raw


def reparse(pipe: Pipeline, *, source: str | None = None, since: str | None = None) -> list[RunSummary]:
    summaries = []
    for kept in raw.kept_runs(pipe.store, source=source, since=since):
        request = kept.request
        configured = pipe.config.source(kept.source)
        if kept.damaged:
            summaries.append(refuse(pipe, kept.source, f"run {kept.run_id}: {kept.damaged}; not reparsed"))
        elif configured is not None and _asks(configured, request):
            summaries.append(run_unit(pipe, configured, _unit(request), fetcher=Replay(kept)))
        elif "url" in request:
            summaries.append(ingest_url(pipe, request["url"], fetcher=Replay(kept)))
        else:
            summaries.append(refuse(pipe, kept.source, f"run {kept.run_id}: source {kept.source!r} is no longer configured"))
    return summaries


def _asks(source: SourceConfig, request: dict) -> bool:
    """Whether the configured source, given the kept run's unit, asks for what that run asked
    (an ad-hoc URL filed under a source's name, or a source whose options changed, does not)."""
    try:
        return dict(source.make().plan(_unit(request)).request) == request
    except ValueError:
        return False


def _unit(request: dict) -> Unit:
    """The unit a kept run asked for (see each kind's `Plan.request`)."""
    return Unit(day=date.fromisoformat(request["day"]) if request.get("day") else None,
                page=request.get("page"), query=request.get("query"))
