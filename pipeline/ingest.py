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
from datetime import timedelta
from typing import Callable, NamedTuple

from pipeline import fetch_arxiv, fetch_biorxiv, fetch_feed, fetch_hf
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
    next_page: int | None = None  # a paged listing's next page, to be its own run

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
             *, name_from_listing: bool = False) -> RunSummary:
    """Run `produce` under a run row and store what it returns.

    An ad-hoc URL or file (`name_from_listing`) is filed under a source named
    after what it turned out to be, such as `hf-daily`.
    """
    pipe.store.mark_interrupted_runs()
    run_id = pipe.store.start_run(source, target)
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
    measured = {"http_status": fetched.http_status, "bytes": fetched.bytes, "entries_parsed": len(listing.entries),
                "listing_date": fetched.day}
    if not listing.entries:
        summary = _close(pipe, run_id, source, fetched.target, "empty", started, notes=notes, **measured)
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
    counts = pipe.store.save_listing(
        run_id, source, listing.entries, run_fields=run_fields, tagger=pipe.tagger, rules_version=pipe.rules_version,
        origin=listing.format,
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
        notes=notes + counts.notes,
        next_page=fetched.next_page,
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


class Plan(NamedTuple):
    """What one run of a source will fetch: its target (for the ledger), how,
    and for paged listings how far apart pages start (so a backfill can skip
    pages it already has without fetching them)."""

    target: str
    produce: Callable[[], fetch_hf.Fetched]
    page_step: int | None = None


def plan_source(pipe: Pipeline, source: SourceConfig, *, day: date | None = None,
                query: str | None = None, page: int | None = None) -> Plan:
    """The run of a configured source, for one day where the source is date-addressed."""
    http = pipe.config.http
    kind = source.kind
    if kind in ("hf-daily", "hf-search"):
        base = str(source.option("base_url", fetch_hf.HF_BASE)).rstrip("/")
        if kind == "hf-daily":
            return _plan_hf_daily(base, day or fetch_hf.today_utc(), http)
        text = query or source.option("query")
        if not text:
            raise ValueError(f"source {source.name!r} needs a query")
        return Plan(f"{base}/papers?q={text}", lambda: fetch_hf.search(base, text, http))
    if kind == "arxiv-rss":
        url = fetch_arxiv.rss_url(source.option("base_url", fetch_arxiv.RSS_BASE), source.option("categories"))
        return Plan(url, lambda: fetch_arxiv.rss(url, http))
    if kind == "arxiv-api":
        base, categories = source.option("base_url", fetch_arxiv.API_BASE), source.option("categories")
        day, start = day or _yesterday(), page or 0
        size = int(source.option("page_size", fetch_arxiv.PAGE_SIZE))
        retries = int(source.option("empty_retries", fetch_arxiv.EMPTY_RETRIES))
        return Plan(fetch_arxiv.api_url(base, categories, day, start, size),
                    lambda: fetch_arxiv.api_page(base, categories, day, start, http, page_size=size,
                                                 empty_retries=retries), size)
    if kind == "biorxiv":
        server, category, subject = source.option("server"), source.option("category"), source.option("subject")
        if subject and day is None and page is None:
            url = fetch_biorxiv.rss_url(server, subject, source.option("rss_base_url"))
            return Plan(url, lambda: fetch_biorxiv.subject_feed(url, http))
        base, day, cursor = source.option("base_url", fetch_biorxiv.API_BASE), day or _yesterday(), page or 0
        return Plan(fetch_biorxiv.details_url(base, server, day, cursor, category),
                    lambda: fetch_biorxiv.details_page(base, server, day, cursor, http, category=category),
                    fetch_biorxiv.PAGE_SIZE)
    if kind == "feed":
        url = source.option("url")
        return Plan(url, lambda: fetch_feed.feed(url, http))
    raise ValueError(f"source {source.name!r}: kind {kind!r} cannot be ingested")


def _yesterday() -> date:
    """The latest day a date-addressed source has finished listing."""
    return fetch_hf.today_utc() - timedelta(days=1)


def _plan_hf_daily(base: str, day: date, http) -> Plan:
    def produce() -> fetch_hf.Fetched:
        fetched = fetch_hf.daily(base, day, http)
        if not fetched.listing.entries and _papers_expected(day):
            raise UnexpectedlyEmpty(
                f"no papers listed for {day.isoformat()}, a past weekday: source changed or failing?"
            )
        fetched.day = day.isoformat()
        return fetched

    return Plan(f"{base}/api/daily_papers?date={day.isoformat()}", produce)


def ingest_source(pipe: Pipeline, source: SourceConfig, *, day: date | None = None,
                  query: str | None = None, page: int | None = None) -> RunSummary:
    """One run of a configured source: one day, or one page of a paged day."""
    plan = plan_source(pipe, source, day=day, query=query, page=page)
    return _execute(pipe, source.name, plan.target, plan.produce)


def ingest_all_pages(pipe: Pipeline, source: SourceConfig, *, day: date | None = None,
                     query: str | None = None) -> list[RunSummary]:
    """A source's listing with every page, each page its own run; stops at a failed page."""
    summaries = [ingest_source(pipe, source, day=day, query=query)]
    while summaries[-1].next_page is not None and not summaries[-1].failed:
        summaries.append(ingest_source(pipe, source, day=day, query=query, page=summaries[-1].next_page))
    return summaries


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
