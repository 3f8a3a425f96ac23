"""One ingestion run: fetch or read, parse, tag, store, and record the run.

`paperfeed ingest`, `paperfeed backfill` and the scheduled job all end here,
so every path records its run the same way: a `running` row first, then the
listing and the closing run row in one transaction, or a `failed` row with
a one-line reason. Expected failures never escape as exceptions: callers get
a `RunSummary` and decide the exit code from its status.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from pipeline import fetch_hf
from pipeline.config import Config, SourceConfig
from pipeline.http import FetchError, FetchResult, fetch
from pipeline.record import Listing, ParseError
from pipeline.sources import parse_any
from pipeline.store import Store, Tagger

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

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        if self.error:
            return f"run {self.run_id} {self.source}: {self.status}: {self.error}"
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


class UnexpectedlyEmpty(Exception):
    """A listing with no entries where the source always has some."""


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _execute(pipe: Pipeline, source: str, target: str, produce: Callable[[], fetch_hf.Fetched],
             *, name_from_listing: bool = False, listing_date: date | None = None) -> RunSummary:
    """Run `produce` under a run row and store what it returns.

    An ad-hoc URL or file (`name_from_listing`) is filed under a source named
    after what it turned out to be, such as `hf-daily`.
    """
    pipe.store.mark_interrupted_runs()
    run_id = pipe.store.start_run(source, target, listing_date.isoformat() if listing_date else None)
    started = time.monotonic()
    try:
        fetched = produce()
    except FetchError as exc:
        status = "rate-limited" if exc.rate_limited else "failed"
        return _close(pipe, run_id, source, target, status, started, error=_one_line(exc), http_status=exc.status)
    except (ParseError, UnexpectedlyEmpty, OSError) as exc:
        return _close(pipe, run_id, source, target, "failed", started, error=_one_line(exc))
    listing = fetched.listing
    if name_from_listing:
        source = adhoc_source_name(listing)
    notes = fetched.notes + listing.notes
    measured = {"http_status": fetched.http_status, "bytes": fetched.bytes, "entries_parsed": len(listing.entries)}
    if not listing.entries:
        return _close(pipe, run_id, source, fetched.target, "empty", started, notes=notes, **measured)
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
    counts = pipe.store.save_listing(
        run_id, source, listing.entries, run_fields=run_fields, tagger=pipe.tagger, rules_version=pipe.rules_version
    )
    return RunSummary(
        run_id=run_id,
        source=source,
        target=fetched.target,
        status="ok",
        entries_parsed=len(listing.entries),
        papers_new=counts.papers_new,
        papers_updated=counts.papers_updated,
        papers_tagged=counts.papers_tagged,
        notes=notes,
    )


def _close(pipe: Pipeline, run_id: int, source: str, target: str, status: str, started: float,
           *, error: str | None = None, notes: list[str] | None = None, **measured) -> RunSummary:
    """Close a run that stores no papers: failed, empty, rate-limited."""
    pipe.store.finish_run(
        run_id,
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
                  query: str | None = None) -> RunSummary:
    """A configured source, for one day where the source is date-addressed."""
    base = str(source.option("base_url", fetch_hf.HF_BASE)).rstrip("/")
    http = pipe.config.http
    if source.kind == "hf-daily":
        day = day or fetch_hf.today_utc()

        def produce() -> fetch_hf.Fetched:
            fetched = fetch_hf.daily(base, day, http)
            if not fetched.listing.entries and _papers_expected(day):
                raise UnexpectedlyEmpty(
                    f"no papers listed for {day.isoformat()}, a past weekday: source changed or failing?"
                )
            return fetched

        return _execute(pipe, source.name, f"{base}/api/daily_papers?date={day.isoformat()}", produce,
                        listing_date=day)
    if source.kind == "hf-search":
        text = query or source.option("query")
        if not text:
            raise ValueError(f"source {source.name!r} needs a query")
        return _execute(pipe, source.name, f"{base}/papers?q={text}", lambda: fetch_hf.search(base, text, http))
    raise ValueError(f"source {source.name!r}: kind {source.kind!r} cannot be ingested")


def _papers_expected(day: date) -> bool:
    """Hugging Face lists papers every weekday; today's list may still be filling up."""
    return day.weekday() < 5 and day < fetch_hf.today_utc()


def ingest_url(pipe: Pipeline, url: str) -> RunSummary:
    """Any page or API answer by URL; the format is told from the content."""

    def produce() -> fetch_hf.Fetched:
        result: FetchResult = fetch(url, pipe.config.http)
        return fetch_hf.Fetched(_parse_or_fail(result.body, url), url, [result], [])

    return _execute_adhoc(pipe, url, produce)


def ingest_file(pipe: Pipeline, path: Path) -> RunSummary:
    """A saved page or API answer; the format is told from the content."""

    def produce() -> fetch_hf.Fetched:
        raw = path.read_bytes()
        fetched = fetch_hf.Fetched(_parse_or_fail(raw, str(path)), str(path), [], [])
        fetched.bytes = len(raw)
        return fetched

    return _execute_adhoc(pipe, str(path), produce)


def _parse_or_fail(raw: bytes, where: str) -> Listing:
    try:
        listing = parse_any(raw)
    except ParseError as exc:
        raise ParseError(f"{where}: {exc}") from None
    if not listing.entries and listing.kind != "search":
        raise ParseError(f"{where}: {listing.format} listing with no entries")
    return listing


def _execute_adhoc(pipe: Pipeline, target: str, produce: Callable[[], fetch_hf.Fetched]) -> RunSummary:
    return _execute(pipe, "adhoc", target, produce, name_from_listing=True)


def adhoc_source_name(listing: Listing) -> str:
    """`hf-daily`, `hf-search`, ... for Hugging Face listings; the format name otherwise."""
    if listing.format.startswith("hf-"):
        return f"hf-{listing.kind}"
    return listing.format or "adhoc"
