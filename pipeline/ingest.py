"""One ingestion run: fetch or read, parse, tag, store, and record the run.

`paperfeed ingest`, `paperfeed backfill` and the scheduled job all end here,
so every path records its run the same way: a `running` row first, then the
listing and the closing run row in one transaction, or a `failed` row with
a one-line reason. Expected failures never escape as exceptions: callers get
a `RunSummary` and decide the exit code from its status.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.conditional import NotModified, RunFetcher
from pipeline.config import Config, SourceConfig
from pipeline.http import FetchError
from pipeline.kinds import Expectation, Fetched, SourceKind, Unit
from pipeline.kinds.adhoc import Adhoc, source_name
from pipeline.record import ParseError
from pipeline.store import Store, Tagger

# Fetches and parses through the run's conditional fetcher.
Produce = Callable[[RunFetcher], Fetched]

FAILED_STATUSES = {"failed", "rate-limited", "interrupted"}


@dataclass
class RunSummary:
    run_id: int
    source: str
    target: str
    status: str
    entries_parsed: int = 0
    papers_new: int = 0
    papers_updated: int = 0
    papers_tagged: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    next_page: int | None = None  # a paged listing's next page, to be its own run

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        if self.error:
            return f"run {self.run_id} {self.source}: {self.status}: {self.error}"
        if self.status == "not-modified":
            return f"run {self.run_id} {self.source}: {self.status}: {'; '.join(self.notes)}"
        return (
            f"run {self.run_id} {self.source}: {self.status}: {self.entries_parsed} entries parsed, "
            f"{self.papers_new} papers new, {self.papers_updated} updated, {self.papers_tagged} tagged"
        )


@dataclass
class Pipeline:
    """What every run needs: the store, the configuration and the tagger."""

    store: Store
    config: Config
    tagger: Tagger | None = None
    rules_version: str | None = None


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _execute(pipe: Pipeline, source: str, target: str, produce: Produce, *, request: dict[str, Any],
             name_from_listing: bool = False, expect: Expectation | None = None,
             day: date | None = None, paged: bool = False, fetcher: RunFetcher | None = None) -> RunSummary:
    """Run `produce` under a run row and store what it returns.

    `produce` fetches through the `RunFetcher` it is given, which makes the
    requests conditional and measures them. An ad-hoc URL or file
    (`name_from_listing`) is filed under a source named after what it turned
    out to be (a Hugging Face daily page, say). A listing with no entries is `failed` when
    the source's expectation says it never is empty on that day.
    """
    pipe.store.mark_interrupted_runs()
    # A one-response day is recorded from the start; a paged day only by the run that completes it.
    run_id = pipe.store.start_run(source, target, day.isoformat() if day and not paged else None)
    started = time.monotonic()
    fetcher = fetcher or RunFetcher(pipe.store, keep_raw=pipe.config.storage.keep_raw)

    def failed(exc: BaseException, status: str = "failed", http_status: int | None = None) -> RunSummary:
        return _close(pipe, run_id, source, target, status, started, error=_one_line(exc),
                      also=fetcher.writer(run_id, source, request, used=None),
                      http_status=http_status or fetcher.http_status, bytes=fetcher.bytes or None)

    try:
        fetched = produce(fetcher)
    except NotModified as exc:
        return _close(pipe, run_id, source, target, "not-modified", started, notes=[str(exc)],
                      also=fetcher.writer(run_id, source, request, used=[]),
                      http_status=exc.result.status, bytes=fetcher.bytes, entries_parsed=0)
    except FetchError as exc:
        return failed(exc, "rate-limited" if exc.rate_limited else "failed", exc.status)
    except (ParseError, OSError) as exc:
        return failed(exc)
    except Exception as exc:  # a parser or fetcher bug must not stop the other sources
        return failed(RuntimeError(f"unexpected {type(exc).__name__} (a bug): {_one_line(exc)}"))
    listing = fetched.listing
    if name_from_listing:
        source = source_name(listing)
    notes = [*fetcher.notes, *fetched.notes, *listing.notes]
    measured = {"http_status": fetched.http_status or fetcher.http_status,
                "bytes": fetched.bytes or fetcher.bytes, "entries_parsed": len(listing.entries)}
    if fetched.day or fetched.next_page is not None:
        # Only the run that completes a day records it; earlier pages of a paged day leave it empty.
        measured["listing_date"] = fetched.day
    if not listing.entries:
        reason = expect.empty_is_failure(day or today_utc(), today_utc()) if expect else None
        if reason:
            return _close(pipe, run_id, source, fetched.target, "failed", started, error=reason,
                          also=fetcher.writer(run_id, source, request, used=None), **measured)
        summary = _close(pipe, run_id, source, fetched.target, "empty", started, notes=notes,
                         also=fetcher.writer(run_id, source, request, used=fetched.responses), **measured)
        summary.next_page = fetched.next_page
        return summary
    undated_day = date.today().isoformat()
    for entry in listing.entries:
        entry.listing_date = entry.listing_date or listing.listing_date or undated_day
    run_fields = {
        **measured,
        "source": source,
        "target": fetched.target,
        "status": "ok",
        "error": "; ".join(notes) or None,
        "duration_s": round(time.monotonic() - started, 3),
    }
    try:
        counts = pipe.store.save_listing(
            run_id, source, listing.entries, run_fields=run_fields, tagger=pipe.tagger,
            rules_version=pipe.rules_version, origin=listing.format,
            also=fetcher.writer(run_id, source, request, used=fetched.responses),
        )
    except Exception as exc:  # rolled back: the run says why, nothing of the listing was written
        return _close(pipe, run_id, source, fetched.target, "failed", started,
                      error=f"storing the listing failed: {type(exc).__name__}: {_one_line(exc)}", **measured)
    return RunSummary(
        run_id=run_id,
        source=source,
        target=fetched.target,
        status="ok",
        entries_parsed=len(listing.entries),
        papers_new=counts.papers_new,
        papers_updated=counts.papers_updated,
        papers_tagged=counts.papers_tagged,
        notes=notes + counts.notes,
        next_page=fetched.next_page,
    )


def _close(pipe: Pipeline, run_id: int, source: str, target: str, status: str, started: float,
           *, error: str | None = None, notes: list[str] | None = None, also=None, **measured) -> RunSummary:
    """Close a run that stores no papers: failed, empty, not-modified, rate-limited."""
    pipe.store.finish_run(
        run_id,
        also=also,
        source=source,
        target=target,
        status=status,
        error=error or ("; ".join(notes) if notes else None),
        duration_s=round(time.monotonic() - started, 3),
        **measured,
    )
    return RunSummary(run_id=run_id, source=source, target=target, status=status, error=error,
                      entries_parsed=measured.get("entries_parsed") or 0, notes=notes or [])


# -- what can be ingested -------------------------------------------------------


def ingest_source(pipe: Pipeline, source: SourceConfig, *, day: date | None = None,
                  query: str | None = None, page: int | None = None,
                  fetcher: RunFetcher | None = None) -> RunSummary:
    """One run of a configured source: one day, or one page of a paged day.

    Never raises for a source that cannot run: that is a failed run too, so
    one bad source never stops the others of an invocation.
    """
    kind = source.make(pipe.config.http)
    try:
        plan = kind.plan(Unit(day=day, page=page, query=query))
    except ValueError as exc:
        return _refuse(pipe, source.name, str(exc))
    return _execute(pipe, source.name, plan.target, lambda get: kind.fetch(plan, get), request=dict(plan.request),
                    expect=source.expectation, day=plan.unit.day, paged=plan.page_step is not None, fetcher=fetcher)


def ingest_all_pages(pipe: Pipeline, source: SourceConfig, *, day: date | None = None,
                     query: str | None = None) -> list[RunSummary]:
    """A source's listing with every page, each page its own run; stops at a failed page."""
    summaries = [ingest_source(pipe, source, day=day, query=query)]
    while summaries[-1].next_page is not None and not summaries[-1].failed:
        summaries.append(ingest_source(pipe, source, day=day, query=query, page=summaries[-1].next_page))
    return summaries


def _refuse(pipe: Pipeline, source: str, reason: str) -> RunSummary:
    def produce(_get: RunFetcher) -> Fetched:
        raise ParseError(reason)

    return _execute(pipe, source, source, produce, request={})


def _ingest_adhoc(pipe: Pipeline, kind: SourceKind, fetcher: RunFetcher | None = None) -> RunSummary:
    plan = kind.plan(Unit())
    return _execute(pipe, kind.source, plan.target, lambda get: kind.fetch(plan, get), request=dict(plan.request),
                    name_from_listing=True, fetcher=fetcher)


def ingest_url(pipe: Pipeline, url: str, *, fetcher: RunFetcher | None = None) -> RunSummary:
    """Any page or API answer by URL; the format is told from the content."""
    return _ingest_adhoc(pipe, Adhoc.for_url(url, pipe.config.http), fetcher)


def ingest_file(pipe: Pipeline, path: Path) -> RunSummary:
    """A saved page or API answer; the format is told from the content."""
    return _ingest_adhoc(pipe, Adhoc.for_file(path, pipe.config.http))
