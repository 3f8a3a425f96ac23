"""One run: lock, run row, fetch, expectation, tag, save, close (`run_unit`).

A manual ingest, `ingest --all`, each scheduled job, catch-up, backfill and
reparse all end here, so every path holds the source's lock and records its
run the same way: a `running` row first, then the listing and the closing
run row in one transaction, or a `failed` row with a one-line reason. A run
that finds the lock held is recorded as `skipped`. Expected failures never
escape as exceptions: callers get a `RunSummary` and decide the exit code
from its status.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.config import Config, SourceConfig
from pipeline.http import FetchError
from pipeline.kinds import Expectation, Fetched, SourceKind, Unit
from pipeline.kinds.adhoc import Adhoc, source_name
from pipeline.model import ParseError, RunRow
from pipeline.run.fetchers import NotModified, RunFetcher
from pipeline.run.locking import SourceLock
from pipeline.store import Store, Tagger, WriteFailed
from pipeline.store.schedule import record_run

FAILED_STATUSES = frozenset({"failed", "rate-limited", "interrupted"})
# Given the number of entries, a context whose value is told of each one stored (the CLI's bar).
EntryProgress = Callable[[int], AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class RunSummary:
    """How one run ended, as its row in `runs` says, plus what the caller needs to go on."""

    run_id: int
    source: str
    target: str
    status: str
    entries_parsed: int = 0
    papers_new: int = 0
    papers_updated: int = 0
    papers_tagged: int = 0
    error: str | None = None
    notes: tuple[str, ...] = ()
    next_page: int | None = None  # a paged listing's next page, to be its own run
    total: int | None = None  # entries the server says the paged day has
    digest: str | None = None  # of the bodies fetched, to tell a page that repeats the previous one
    listing_date: str | None = None  # the listing day the run asked for or found

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    def line(self) -> str:
        """The one-line summary the CLI prints: `run 7 hf-daily 2024-08-01: ok: ...`."""
        head = f"run {self.run_id} {self.source}" + (f" {self.listing_date}" if self.listing_date else "")
        if self.error:
            return f"{head}: {self.status}: {self.error}"
        if self.status == "not-modified":
            return f"{head}: {self.status}: {'; '.join(self.notes)}"
        return (
            f"{head}: {self.status}: {self.entries_parsed} entries parsed, "
            f"{self.papers_new} papers new, {self.papers_updated} updated, {self.papers_tagged} tagged"
        )


@dataclass
class Pipeline:
    """What every run needs: the store, the configuration and the tagger."""

    store: Store
    config: Config
    tagger: Tagger | None = None
    rules_version: str | None = None


@dataclass(frozen=True)
class Attempt:
    """What `_execute` runs: a source name, the plan's target and request, and how to fetch it."""

    source: str
    target: str
    produce: Callable[[RunFetcher], Fetched]
    request: Mapping[str, Any] = field(default_factory=dict)
    expect: Expectation | None = None
    day: date | None = None
    paged: bool = False
    name_from_listing: bool = False  # an ad-hoc URL or file is filed under what it turned out to be
    progress: EntryProgress | None = None  # shown while a large file's entries are stored


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def run_unit(pipe: Pipeline, source: SourceConfig, unit: Unit = Unit(), *, fetcher: RunFetcher | None = None,
             repeats: str | None = None, lock: SourceLock | None = None) -> RunSummary:
    """One run of a configured source for one unit (a day, a page of a day, a query), under its lock.

    `lock` is the source's lock when the caller already holds it for several
    units (all pages and days of one invocation); otherwise it is taken here.
    `repeats` is the digest of the previous page of the same day: a page
    whose bodies are identical is a server ignoring `start`, and fails
    without storing anything. Never raises for a source that cannot run.
    """
    own = lock is None
    if own:
        lock = acquire(pipe, source, unit.day)
        if isinstance(lock, RunSummary):
            return lock
    try:
        kind = source.make(pipe.config.http)
        try:
            plan = kind.plan(unit)
        except ValueError as exc:
            return refuse(pipe, source.name, str(exc))
        return _execute(pipe, Attempt(source.name, plan.target, lambda get: kind.fetch(plan, get), plan.request,
                                      source.expectation, plan.unit.day, plan.page_step is not None),
                        fetcher, repeats)
    finally:
        if own:
            lock.release()


def acquire(pipe: Pipeline, source: SourceConfig, day: date | None = None) -> SourceLock | RunSummary:
    """The source's cross-process lock, waiting `[schedule] lock_wait`.

    Instead of the lock, the recorded run that explains why not: `skipped`
    while another run holds it, `failed` when the lock file is unusable
    (a planted symlink, a folder we cannot write).
    """
    lock = SourceLock(pipe.store.path, source.name)
    try:
        if lock.acquire(pipe.config.schedule.lock_wait):
            return lock
    except OSError as exc:
        return refuse(pipe, source.name, f"lock file unusable: {exc.strerror or exc}")
    return skipped(pipe, source.name, day)


def skipped(pipe: Pipeline, source: str, day: date | None) -> RunSummary:
    """The run that found another run of the source active, in the ledger like any other."""
    holder = SourceLock(pipe.store.path, source).holder_pid()
    message = f"another run of {source} is active" + (f" (pid {holder})" if holder else "")
    run_id = record_run(pipe.store, source, source, "skipped", message, day.isoformat() if day else None)
    return RunSummary(run_id=run_id, source=source, target=source, status="skipped", error=message,
                      listing_date=day.isoformat() if day else None)


def refuse(pipe: Pipeline, source: str, reason: str) -> RunSummary:
    """A failed run for a source that cannot run at all (no query, no longer configured)."""
    def produce(_get: RunFetcher) -> Fetched:
        raise ParseError(reason)

    return _execute(pipe, Attempt(source, source, produce))


def _ingest_adhoc(pipe: Pipeline, kind: SourceKind, fetcher: RunFetcher | None = None,
                  name: str | None = None, progress: EntryProgress | None = None) -> RunSummary:
    """`name` files the run under that source (`--as`); without it, under `adhoc:<what it was>`."""
    plan = kind.plan(Unit())
    return _execute(pipe, Attempt(name or kind.source, plan.target, lambda get: kind.fetch(plan, get), plan.request,
                                  name_from_listing=name is None, progress=progress), fetcher)


def _forced(pipe: Pipeline) -> RunFetcher:
    """A fetcher that sends no validators and compares no hashes: the bytes are parsed whatever they are."""
    return RunFetcher(pipe.store, conditional=False, keep_raw=pipe.config.storage.keep_raw)


def ingest_url(pipe: Pipeline, url: str, *, fetcher: RunFetcher | None = None, name: str | None = None,
               force: bool = False) -> RunSummary:
    """Any page or API answer by URL; the format is told from the content."""
    # A URL typed on the command line is the user's to fetch, wherever it points.
    return _ingest_adhoc(pipe, Adhoc.for_url(url, pipe.config.http.trusting(url)),
                         _forced(pipe) if force else fetcher, name)


def ingest_file(pipe: Pipeline, path: Path, *, name: str | None = None,
                progress: EntryProgress | None = None, force: bool = False) -> RunSummary:
    """A saved page or API answer; the format is told from the content. A file whose bytes
    are those of its last stored run is a `not-modified` run, unless `force`."""
    return _ingest_adhoc(pipe, Adhoc.for_file(path, pipe.config.http), _forced(pipe) if force else None,
                         name=name, progress=progress)


def ingest_bytes(pipe: Pipeline, raw: bytes, label: str, *, name: str | None = None) -> RunSummary:
    """Content read already (stdin), recorded with `label` as its target."""
    return _ingest_adhoc(pipe, Adhoc.for_bytes(raw, label, pipe.config.http), name=name)


def _digest(fetched: Fetched) -> str | None:
    if not fetched.responses:
        return None
    hasher = hashlib.sha256()
    for response in fetched.responses:
        hasher.update(response.body)
    return hasher.hexdigest()


def _execute(pipe: Pipeline, attempt: Attempt, fetcher: RunFetcher | None = None,
             repeats: str | None = None) -> RunSummary:
    """Run the attempt under a run row and store what it returns.

    The fetch goes through the `RunFetcher` it is given, which makes the
    requests conditional and measures them. A listing with no entries is
    `failed` when the source's expectation says it never is empty on that day.
    """
    source, target, request = attempt.source, attempt.target, attempt.request
    try:
        pipe.store.mark_interrupted_runs()
        # A one-response day is recorded from the start; a paged day only by the run that completes it.
        run_id = pipe.store.start_run(source, target,
                                      attempt.day.isoformat() if attempt.day and not attempt.paged else None)
    except WriteFailed as exc:  # nothing fetched, nothing to lose: say why no run could even be recorded
        return RunSummary(run_id=0, source=source, target=target, status="failed",
                          error=f"the run could not be recorded: {exc}")
    started = time.monotonic()
    asked_day = attempt.day.isoformat() if attempt.day else None
    fetcher = fetcher or RunFetcher(pipe.store, keep_raw=pipe.config.storage.keep_raw)

    def close(status: str, target: str, *, error: str | None = None, notes: tuple[str, ...] = (),
              used=None, remember: bool = True, **measured: Any) -> RunSummary:
        record = fetcher.record(source, request, used) if remember else None
        try:
            pipe.store.finish_run(run_id, RunRow(status, source, target,
                                                 error=error or ("; ".join(notes) if notes else None),
                                                 duration_s=round(time.monotonic() - started, 3), **measured),
                                  record=record)
        except WriteFailed as exc:  # the run row stays `running`, to be marked interrupted later
            error = f"{error}; and the run could not be closed: {exc}" if error else f"the run could not be closed: {exc}"
            status = "failed"
        return RunSummary(run_id=run_id, source=source, target=target, status=status, error=error,
                          entries_parsed=measured.get("entries_parsed") or 0, notes=notes,
                          listing_date=measured.get("listing_date") or asked_day)

    def failed(exc: BaseException, status: str = "failed", http_status: int | None = None) -> RunSummary:
        return close(status, target, error=_one_line(exc), http_status=http_status or fetcher.http_status,
                     bytes=fetcher.bytes or None)

    try:
        fetched = attempt.produce(fetcher)
    except NotModified as exc:
        return close("not-modified", target, notes=(str(exc),), used=[],
                     http_status=exc.result.status if exc.result else None,
                     bytes=fetcher.bytes, entries_parsed=0)
    except FetchError as exc:
        return failed(exc, "rate-limited" if exc.rate_limited else "failed", exc.status)
    except (ParseError, OSError) as exc:
        return failed(exc)
    except Exception as exc:  # a parser or fetcher bug must not stop the other sources
        return failed(RuntimeError(f"unexpected {type(exc).__name__} (a bug): {_one_line(exc)}"))
    listing = fetched.listing
    if attempt.name_from_listing:
        source = source_name(listing)
    notes = (*fetcher.notes, *fetched.notes, *listing.notes)
    measured: dict[str, Any] = {"http_status": fetched.http_status or fetcher.http_status,
                                "bytes": fetched.bytes or fetcher.bytes, "entries_parsed": len(listing.entries)}
    if fetched.day or fetched.next_page is not None:
        # Only the run that completes a day records it; earlier pages of a paged day leave it empty.
        measured["listing_date"] = fetched.day
    digest = _digest(fetched)
    if repeats is not None and digest == repeats:
        error = (f"page at {request.get('page', 0)} repeats the previous page (the server ignores start?):"
                 " nothing stored, the day ends here incomplete")
        return close("failed", fetched.target, error=error, **{**measured, "listing_date": None})
    paging = {"next_page": fetched.next_page, "total": fetched.total, "digest": digest}
    if not listing.entries:
        reason = attempt.expect.empty_is_failure(attempt.day or today_utc(), today_utc()) if attempt.expect else None
        if reason:
            return close("failed", fetched.target, error=reason, **measured)
        return replace(close("empty", fetched.target, notes=notes, used=fetched.responses, **measured), **paging)
    # Each record is filed under a day: its own, its listing's, or (an undated listing) today. New
    # records, not edits of the parser's: what the kind returned stays as it was.
    undated_day = date.today().isoformat()
    entries = [entry if entry.listing_date else
               replace(entry, listed_undated=not listing.listing_date, listing_date=listing.listing_date or undated_day)
               for entry in listing.entries]
    run_row = RunRow("ok", source, fetched.target, error="; ".join(notes) or None,
                     duration_s=round(time.monotonic() - started, 3), **measured)
    try:
        with attempt.progress(len(entries)) if attempt.progress else nullcontext() as tick:
            counts = pipe.store.save_listing(
                run_id, source, entries, run_row=run_row, tagger=pipe.tagger,
                rules_version=pipe.rules_version, origin=listing.format,
                record=fetcher.record(source, request, fetched.responses), progress=tick,
            )
    except Exception as exc:  # rolled back: the run says why, nothing of the listing was written
        return close("failed", fetched.target, remember=False,
                     error=f"storing the listing failed: {type(exc).__name__}: {_one_line(exc)}", **measured)
    return RunSummary(run_id=run_id, source=source, target=fetched.target, status="ok",
                      entries_parsed=len(listing.entries), papers_new=counts.papers_new,
                      papers_updated=counts.papers_updated, papers_tagged=counts.papers_tagged,
                      notes=(*notes, *counts.notes), listing_date=fetched.day or listing.listing_date or asked_day,
                      **paging)
