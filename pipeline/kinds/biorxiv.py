"""bioRxiv/medRxiv (`biorxiv`): the details API by posting day (cursor paging), or a subject RSS feed.

The API is the complete record (every version, with the journal DOI once
published) and is addressable by date, so catch-up, backfill and `--date`
use it; a day's posts are complete once it is over, so its latest day is
yesterday. The subject feed is a rolling window of the latest ~30 posts; it
serves the daily run of a source that names a `subject`.

The API's `category` filter is passed to the server and also applied here:
a server that ignored it must not fill the database with other subjects.
"""

from __future__ import annotations

from datetime import timezone
from urllib.parse import quote, urlencode

from pipeline.kinds.base import DatePlan, Fetched, Get, Option, Plan, SourceKind, Unit, http_url, one_of
from pipeline.kinds.cadence import WEEKDAYS, Cadence
from pipeline.kinds.registry import register
from pipeline.formats import biorxiv_api, biorxiv_rss

API_BASE = "https://api.biorxiv.org"
PAGE_SIZE = 30  # the details endpoint's fixed page size
SERVERS = ("biorxiv", "medrxiv")


def _category_key(text: str) -> str:
    return " ".join(text.replace("_", " ").lower().split())


@register
class Biorxiv(SourceKind):
    name = "biorxiv"
    family = "biorxiv"
    options = {
        "base_url": Option(str, API_BASE, check=http_url),
        "server": Option(str, required=True, check=one_of(*SERVERS)),
        "category": Option(str),
        "subject": Option(str),
        "rss_base_url": Option(str, check=http_url),
    }
    dates = DatePlan(zone=timezone.utc, lag=1)
    paged = True
    # Yesterday's posts at 07:43 UTC, and again at 13:43 for the batch the API only shows late.
    schedule = ("43 7,13 * * *", "UTC")
    # Posts go up every weekday (a few at weekends); one subject may have a quiet day or two.
    cadence = Cadence(daily=True, publishes_on=WEEKDAYS, silence_days=2, lag=1)

    def lists_by_date(self) -> bool:
        """A source with a `subject` reads its feed for the latest posts; missed days use the API."""
        return not self.option("subject")

    def plan(self, unit: Unit) -> Plan:
        server = self.option("server")
        if self.option("subject") and unit.day is None and unit.page is None:
            base = (self.option("rss_base_url") or f"https://connect.{server}.org").rstrip("/")
            url = f"{base}/{server}_xml.php?subject={quote(self.option('subject'))}"
            return Plan(Unit(), url, {"url": url})
        day, cursor = unit.day or self.default_day(), unit.page or 0
        url = f"{self.option('base_url').rstrip('/')}/details/{server}/{day.isoformat()}/{day.isoformat()}/{cursor}/json"
        if self.option("category"):
            url += "?" + urlencode({"category": _category_key(self.option("category")).replace(" ", "_")})
        return Plan(Unit(day=day, page=cursor), url, {"day": day.isoformat(), "page": cursor}, PAGE_SIZE)

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        result = get(plan.target, self.http, expect="xml" if plan.unit.day is None else "json")
        if plan.unit.day is None:
            return Fetched(biorxiv_rss.parse(result.body), plan.target, (result,))
        return self._details(plan, result)

    def _details(self, plan: Plan, result) -> Fetched:
        """One page of the preprints posted on the day."""
        day, cursor, category = plan.unit.day, plan.unit.page, self.option("category")
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
        page = biorxiv_api.page_info(result.body) if fetched_count else None
        if page is not None and not page.is_last:
            return Fetched(listing, plan.target, (result,), tuple(notes), next_page=page.next_start, total=page.total)
        return Fetched(listing, plan.target, (result,), tuple(notes), day=day.isoformat())
