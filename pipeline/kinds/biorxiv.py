"""Fetching bioRxiv/medRxiv: the details API by posting day (cursor paging), or a subject RSS feed.

The API is the complete record (every version, with the journal DOI once
published) and is addressable by date, so backfill and `--date` use it. The
subject feed is a rolling window of the latest ~30 posts; it serves the daily
run of a source that names a `subject`.

The API's `category` filter is passed to the server and also applied here:
a server that ignored it must not fill the database with other subjects.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from pipeline.fetch_hf import Fetched
from pipeline.http import HttpSettings, fetch
from pipeline.sources import biorxiv_api, biorxiv_rss

API_BASE = "https://api.biorxiv.org"
PAGE_SIZE = 30  # the details endpoint's fixed page size
SERVERS = ("biorxiv", "medrxiv")


def _category_key(text: str) -> str:
    return " ".join(text.replace("_", " ").lower().split())


def details_url(base: str, server: str, day: date, cursor: int, category: str | None) -> str:
    url = f"{base.rstrip('/')}/details/{server}/{day.isoformat()}/{day.isoformat()}/{cursor}/json"
    if category:
        url += "?" + urlencode({"category": _category_key(category).replace(" ", "_")})
    return url


def details_page(base: str, server: str, day: date, cursor: int, http: HttpSettings,
                 *, category: str | None = None, fetch=fetch) -> Fetched:
    """One page of the preprints posted on `day`."""
    url = details_url(base, server, day, cursor, category)
    result = fetch(url, http, expect="json")
    listing = biorxiv_api.parse(result.body)
    notes = []
    fetched_count = len(listing.entries)
    if category:
        wanted = _category_key(category)
        listing.entries = [e for e in listing.entries if e.categories and _category_key(e.categories[0]) == wanted]
        if len(listing.entries) != fetched_count:
            notes.append(f"kept {len(listing.entries)} of {fetched_count} records in category {category!r}")
    for rank, entry in enumerate(listing.entries, start=cursor + 1):
        entry.listing_date = entry.listing_date or day.isoformat()
        entry.rank = rank
    listing.listing_date = day.isoformat()
    fetched = Fetched(listing, url, [result], notes)
    page = biorxiv_api.page_info(result.body) if fetched_count else None
    if page is not None and not page.is_last:
        fetched.next_page = page.next_start
    else:
        fetched.day = day.isoformat()
    return fetched


def rss_url(server: str, subject: str, base: str | None = None) -> str:
    base = (base or f"https://connect.{server}.org").rstrip("/")
    return f"{base}/{server}_xml.php?subject={quote(subject)}"


def subject_feed(url: str, http: HttpSettings, fetch=fetch) -> Fetched:
    result = fetch(url, http, expect="xml")
    return Fetched(biorxiv_rss.parse(result.body), url, [result], [])
