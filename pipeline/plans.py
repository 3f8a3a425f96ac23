"""What one run of a configured source fetches: its URL, how, and which day and page.

Each source kind maps to a fetch module (`fetch_hf`, `fetch_arxiv`,
`fetch_biorxiv`, `fetch_feed`); a plan binds it to one day or page so that
`ingest`, `backfill` and the scheduler all run a source the same way, and a
backfill can tell from a plan's target which pages it already has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

from pipeline import fetch_arxiv, fetch_biorxiv, fetch_feed, fetch_hf
from pipeline.conditional import RunFetcher
from pipeline.config import SourceConfig
from pipeline.http import HttpSettings

# Fetches and parses through the run's conditional fetcher.
Produce = Callable[[RunFetcher], fetch_hf.Fetched]


class Plan(NamedTuple):
    """What one run of a source will fetch: its target (for the ledger), how
    (given the run's conditional fetcher), what was asked (kept with raw
    responses for `reparse`), and for paged listings how far apart pages start
    (so a backfill can skip pages it already has without fetching them)."""

    target: str
    produce: Produce
    request: dict[str, Any]
    day: date | None = None
    page_step: int | None = None


def plan_source(http: HttpSettings, source: SourceConfig, *, day: date | None = None,
                query: str | None = None, page: int | None = None) -> Plan:
    """The run of a configured source, for one day where the source is date-addressed.

    Raises ValueError for a source that cannot run (no query, unknown kind).
    """
    kind = source.kind
    if kind in ("hf-daily", "hf-search"):
        base = str(source.option("base_url", fetch_hf.HF_BASE)).rstrip("/")
        if kind == "hf-daily":
            day = day or fetch_hf.today_utc()
            return Plan(f"{base}/api/daily_papers?date={day.isoformat()}",
                        lambda get: _completes(fetch_hf.daily(base, day, http, fetch=get), day),
                        {"day": day.isoformat()}, day)
        text = query or source.option("query")
        if not text:
            raise ValueError(f"source {source.name!r} needs a query")
        return Plan(f"{base}/papers?q={text}", lambda get: fetch_hf.search(base, text, http, fetch=get),
                    {"query": text})
    if kind == "arxiv-rss":
        url = fetch_arxiv.rss_url(source.option("base_url", fetch_arxiv.RSS_BASE), source.option("categories"))
        return Plan(url, lambda get: fetch_arxiv.rss(url, http, fetch=get), {"url": url})
    if kind == "arxiv-api":
        base, categories = source.option("base_url", fetch_arxiv.API_BASE), source.option("categories")
        day, start = day or _yesterday(), page or 0
        size = int(source.option("page_size", fetch_arxiv.PAGE_SIZE))
        retries = int(source.option("empty_retries", fetch_arxiv.EMPTY_RETRIES))
        return Plan(fetch_arxiv.api_url(base, categories, day, start, size),
                    lambda get: fetch_arxiv.api_page(base, categories, day, start, http, page_size=size,
                                                     empty_retries=retries, fetch=get),
                    {"day": day.isoformat(), "page": start}, day, size)
    if kind == "biorxiv":
        server, category, subject = source.option("server"), source.option("category"), source.option("subject")
        if subject and day is None and page is None:
            url = fetch_biorxiv.rss_url(server, subject, source.option("rss_base_url"))
            return Plan(url, lambda get: fetch_biorxiv.subject_feed(url, http, fetch=get), {"url": url})
        base, day, cursor = source.option("base_url", fetch_biorxiv.API_BASE), day or _yesterday(), page or 0
        return Plan(fetch_biorxiv.details_url(base, server, day, cursor, category),
                    lambda get: fetch_biorxiv.details_page(base, server, day, cursor, http, category=category,
                                                           fetch=get),
                    {"day": day.isoformat(), "page": cursor}, day, fetch_biorxiv.PAGE_SIZE)
    if kind == "feed":
        url = source.option("url")
        return Plan(url, lambda get: fetch_feed.feed(url, http, fetch=get), {"url": url})
    raise ValueError(f"source {source.name!r}: kind {kind!r} cannot be ingested")


def _yesterday() -> date:
    """The latest day a date-addressed source has finished listing."""
    return fetch_hf.today_utc() - timedelta(days=1)


def _completes(fetched: fetch_hf.Fetched, day: date) -> fetch_hf.Fetched:
    fetched.day = day.isoformat()
    return fetched
