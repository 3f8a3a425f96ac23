"""Fetching Hugging Face listings: which URLs, paging, and the fallback to HTML.

The JSON API is preferred (it has abstracts and authors); when it fails the
HTML page of the same listing is read instead. Hugging Face shows the latest
day when asked for a day without papers, so an HTML page is only believed for
the day it says it lists.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import urlencode

from pipeline.http import FetchError, FetchResult, HttpSettings, fetch
from pipeline.record import Listing, ParseError
from pipeline.sources import hf_api, hf_html

HF_BASE = "https://huggingface.co"
PAGE_SIZE = 100  # the API refuses a larger limit


class Fetched:
    """A parsed listing plus what fetching it cost, for the run ledger.

    `day` is the listing day this fetch completes (recorded on the run, so a
    backfill knows the day is done); a paged listing's pages before the last
    leave it None and give `next_page`, where the next page starts.
    """

    day: str | None = None
    next_page: int | None = None

    def __init__(self, listing: Listing, target: str, responses: list[FetchResult], notes: list[str]):
        self.listing = listing
        self.target = target
        self.http_status = responses[-1].status if responses else None
        self.bytes = sum(len(r.body) for r in responses)
        self.responses = responses
        self.notes = notes


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def daily(base: str, day: date, http: HttpSettings, fetch=fetch) -> Fetched:
    """One day's Daily Papers: the API page by page, else the date page.

    `fetch` is `http.fetch` or a stand-in with its signature: a run passes one
    that makes requests conditional, `reparse` one that replays kept responses.
    """
    api_error: Exception | None = None
    try:
        return _daily_api(base, day, http, fetch)
    except (FetchError, ParseError) as exc:
        api_error = exc
    url = f"{base}/papers/date/{day.isoformat()}"
    result = fetch(url, http, accept="text/html")
    listing = _parse_page(url, result.body, api_error)
    notes = [f"API failed ({api_error}); read the HTML page instead"]
    if listing.listing_date and listing.listing_date != day.isoformat():
        notes.append(f"the page shows {listing.listing_date}, not {day.isoformat()}: no papers listed that day")
        listing = Listing(kind="daily", entries=[], listing_date=day.isoformat(), format=listing.format)
    return Fetched(listing, url, [result], notes)


def _daily_api(base: str, day: date, http: HttpSettings, fetch=fetch) -> Fetched:
    responses: list[FetchResult] = []
    entries = []
    page = 0
    while True:
        query = urlencode({"date": day.isoformat(), "p": page, "limit": PAGE_SIZE})
        result = fetch(f"{base}/api/daily_papers?{query}", http, accept="application/json")
        responses.append(result)
        listing = hf_api.parse(result.body)
        for entry in listing.entries:
            entry.rank = len(entries) + 1
            # Filed under the day asked for: the API's own timestamps may fall on the evening before.
            entry.listing_date = day.isoformat()
            entries.append(entry)
        if len(listing.entries) < PAGE_SIZE:
            break
        page += 1
    target = f"{base}/api/daily_papers?date={day.isoformat()}"
    return Fetched(Listing(kind="daily", entries=entries, listing_date=day.isoformat(), format=hf_api.FORMAT), target, responses, [])


def _parse_page(url: str, body: bytes, api_error: Exception) -> Listing:
    """The fallback page, with both failures named when it fails too."""
    try:
        return hf_html.parse(body)
    except ParseError as exc:
        raise ParseError(f"{url}: {exc} (the API had failed too: {api_error})") from None


def search(base: str, query: str, http: HttpSettings, fetch=fetch) -> Fetched:
    """A search listing: the API, else the search page."""
    api_url = f"{base}/api/papers/search?{urlencode({'q': query})}"
    try:
        result = fetch(api_url, http, accept="application/json")
        listing = hf_api.parse(result.body)
        listing.kind = "search"
        return Fetched(listing, api_url, [result], [])
    except (FetchError, ParseError) as exc:
        api_error = exc
    url = f"{base}/papers?{urlencode({'q': query})}"
    result = fetch(url, http, accept="text/html")
    listing = _parse_page(url, result.body, api_error)
    listing.kind = "search"
    return Fetched(listing, url, [result], [f"API failed ({api_error}); read the HTML page instead"])
