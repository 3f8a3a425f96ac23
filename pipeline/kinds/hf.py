"""Hugging Face listings: the Daily Papers of one day (`hf-daily`) and a papers search (`hf-search`).

The JSON API is preferred (it has abstracts and authors); when it fails the
HTML page of the same listing is read instead. Hugging Face shows the latest
day when asked for a day without papers, so an HTML page is only believed for
the day it says it lists.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta, timezone
from urllib.parse import urlencode

from pipeline.http import FetchError, FetchResult
from pipeline.kinds.base import (DAILY_INTERVAL_HOURS, DatePlan, Expectation, Fetched, Get, Option, Plan,
                                 SourceKind, Unit, http_url)
from pipeline.kinds.cadence import WEEKDAYS, Cadence
from pipeline.kinds.registry import register
from pipeline.model import Listing, ParseError
from pipeline.formats import hf_api, hf_html

HF_BASE = "https://huggingface.co"
PAGE_SIZE = 100  # the API refuses a larger limit
BASE_URL = Option(str, HF_BASE, check=http_url)
FALLBACK_NOTE = "API failed ({}); read the HTML page instead"


def _base(kind: SourceKind) -> str:
    return str(kind.option("base_url")).rstrip("/")


def _parse_page(url: str, body: bytes, api_error: Exception) -> Listing:
    """The fallback page, with both failures named when it fails too."""
    try:
        return hf_html.parse(body)
    except ParseError as exc:
        raise ParseError(f"{url}: {exc} (the API had failed too: {api_error})") from None


@register
class HfDaily(SourceKind):
    """One day's Daily Papers: the API page by page, else the date page."""

    name = "hf-daily"
    family = "hf"
    options = {"base_url": BASE_URL}
    # The day's list fills up in bursts through the UTC day: a run every 10 minutes (144 small API
    # requests a day) stores each burst within 10 minutes; the first run after 06:00 also settles
    # yesterday's upvotes.
    schedule = ("*/10 * * * *", "UTC")
    dates = DatePlan(zone=timezone.utc, settle_after=timedelta(hours=6))
    expect = Expectation("weekdays", DAILY_INTERVAL_HOURS)
    # Curated Monday to Friday, some 20 to 60 papers a day; weekends are empty.
    cadence = Cadence(daily=True, publishes_on=WEEKDAYS, silence_days=1, usual_volume=20)

    def plan(self, unit: Unit) -> Plan:
        day = unit.day or self.default_day()
        return Plan(Unit(day=day), f"{_base(self)}/api/daily_papers?date={day.isoformat()}",
                    {"day": day.isoformat()})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        day = plan.unit.day
        try:
            fetched = self._api(day, get)
        except (FetchError, ParseError) as exc:
            fetched = self._page(day, get, exc)
        return replace(fetched, day=day.isoformat())

    def _api(self, day: date, get: Get) -> Fetched:
        responses: list[FetchResult] = []
        entries = []
        page = 0
        while True:
            query = urlencode({"date": day.isoformat(), "p": page, "limit": PAGE_SIZE})
            result = get(f"{_base(self)}/api/daily_papers?{query}", self.http, accept="application/json")
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
        target = f"{_base(self)}/api/daily_papers?date={day.isoformat()}"
        listing = Listing(kind="daily", entries=entries, listing_date=day.isoformat(), format=hf_api.FORMAT)
        return Fetched(listing, target, tuple(responses))

    def _page(self, day: date, get: Get, api_error: Exception) -> Fetched:
        url = f"{_base(self)}/papers/date/{day.isoformat()}"
        result = get(url, self.http, accept="text/html")
        listing = _parse_page(url, result.body, api_error)
        notes = [FALLBACK_NOTE.format(api_error)]
        if listing.listing_date and listing.listing_date != day.isoformat():
            notes.append(f"the page shows {listing.listing_date}, not {day.isoformat()}: no papers listed that day")
            listing = Listing(kind="daily", entries=[], listing_date=day.isoformat(), format=listing.format)
        return Fetched(listing, url, (result,), tuple(notes))


@register
class HfSearch(SourceKind):
    """A search listing: the API, else the search page."""

    name = "hf-search"
    family = "hf"
    options = {"base_url": BASE_URL, "query": Option(str)}
    expect = Expectation("always", 0.0)
    # A standing search gains papers when the field publishes: weeks of nothing new is suspect.
    cadence = Cadence(silence_days=21)

    def plan(self, unit: Unit) -> Plan:
        text = unit.query or self.option("query")
        if not text:
            raise ValueError(f"source {self.source!r} needs a query")
        return Plan(Unit(query=text), f"{_base(self)}/papers?q={text}", {"query": text})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        query = urlencode({"q": plan.unit.query})
        api_url = f"{_base(self)}/api/papers/search?{query}"
        try:
            result = get(api_url, self.http, accept="application/json")
            listing = hf_api.parse(result.body)
            listing.kind = "search"
            return Fetched(listing, api_url, (result,))
        except (FetchError, ParseError) as exc:
            api_error = exc
        url = f"{_base(self)}/papers?{query}"
        result = get(url, self.http, accept="text/html")
        listing = _parse_page(url, result.body, api_error)
        listing.kind = "search"
        return Fetched(listing, url, (result,), (FALLBACK_NOTE.format(api_error),))
