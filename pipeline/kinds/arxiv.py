"""Fetching arXiv: the daily announcement feed, and the API by category and day for backfill.

Politeness (one request every 3 s, one connection, across all our processes)
is the HTTP layer's job: it paces every host listed in `[http.min_interval]`,
which includes arXiv's hosts by default. A test server gets the same treatment
by listing its host there.

The RSS feed is empty on weekends and arXiv holidays. Both are recorded as
`empty` runs; an empty feed on a weekday also gets a note, because arXiv's
holiday calendar is not something we can know in advance, and a note is how
a feed that silently broke would show up.

The API answers a bad query with HTTP 200 and an error feed: the parser turns
it into a ParseError carrying arXiv's message, so the run fails naming it. An
empty page although `totalResults` says there is more is something arXiv
sometimes serves by mistake: it is fetched again (`empty_retries` times)
before the run fails rather than ending the day early.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from pipeline.fetch_hf import Fetched
from pipeline.http import FetchResult, HttpSettings, fetch
from pipeline.record import ParseError
from pipeline.sources import arxiv_api, arxiv_feed

RSS_BASE = "https://rss.arxiv.org"
API_BASE = "https://export.arxiv.org"
PAGE_SIZE = 500  # a busy day of eess.IV+cs.CV+physics.med-ph fits in one page; arXiv allows up to 2000
EMPTY_RETRIES = 2


class SuspiciousEmptyPage(ParseError):
    """arXiv kept answering an empty page where its own totals promise entries."""


def rss_url(base: str, categories: list[str]) -> str:
    return f"{base.rstrip('/')}/rss/{'+'.join(categories)}"


def rss(url: str, http: HttpSettings, fetch=fetch) -> Fetched:
    result = fetch(url, http, expect="xml")
    listing = arxiv_feed.parse(result.body)
    notes = []
    if not listing.entries and listing.listing_date and date.fromisoformat(listing.listing_date).weekday() < 5:
        notes.append(f"no announcements on {listing.listing_date}, a weekday: an arXiv holiday, or the feed is failing")
    fetched = Fetched(listing, url, [result], notes)
    fetched.day = listing.listing_date
    return fetched


def search_query(categories: list[str], day: date) -> str:
    """`cat:X` (or `(cat:X OR cat:Y)`) submitted on `day` (arXiv's clock, GMT)."""
    cats = " OR ".join(f"cat:{c}" for c in categories)
    if len(categories) > 1:
        cats = f"({cats})"
    stamp = day.strftime("%Y%m%d")
    return f"{cats} AND submittedDate:[{stamp}0000 TO {stamp}2359]"


def api_url(base: str, categories: list[str], day: date, start: int, page_size: int) -> str:
    query = urlencode({
        "search_query": search_query(categories, day),
        "start": start,
        "max_results": page_size,
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    })
    return f"{base.rstrip('/')}/api/query?{query}"


def api_page(base: str, categories: list[str], day: date, start: int, http: HttpSettings,
             *, page_size: int = PAGE_SIZE, empty_retries: int = EMPTY_RETRIES, fetch=fetch) -> Fetched:
    """One page of the papers submitted on `day`, each sighted on that day."""
    url = api_url(base, categories, day, start, page_size)
    responses: list[FetchResult] = []
    for attempt in range(empty_retries + 1):
        result = fetch(url, http, expect="xml")
        responses.append(result)
        listing = arxiv_api.parse(result.body)  # the error feed raises with arXiv's message
        page = arxiv_api.page_info(result.body)
        if listing.entries or page.start >= page.total:
            break
    else:
        raise SuspiciousEmptyPage(
            f"arXiv API: page at {start} empty although totalResults={page.total}, "
            f"{empty_retries + 1} times: arXiv failing?"
        )
    notes = [f"empty page fetched again {attempt} time(s) before arXiv served it"] if attempt else []
    for rank, entry in enumerate(listing.entries, start=start + 1):
        entry.listing_date = day.isoformat()
        entry.rank = rank
    listing.listing_date = day.isoformat()
    fetched = Fetched(listing, url, responses, notes)
    if listing.entries and not page.is_last:
        fetched.next_page = page.next_start
    else:
        fetched.day = day.isoformat()
    return fetched
