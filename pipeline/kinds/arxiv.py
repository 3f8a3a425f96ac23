"""arXiv: the daily announcement feed (`arxiv-rss`), and the API by category and day (`arxiv-api`).

Politeness (one request every 3 s, one connection, across all our processes)
is the HTTP layer's job: it paces every host in `politeness` and in
`[http.min_interval]`. A test server gets the same treatment by listing its
host there.

The RSS feed is empty on weekends and arXiv holidays. Both are recorded as
`empty` runs; an empty feed on a weekday also gets a note, because arXiv's
holiday calendar is not something we can know in advance, and a note is how
a feed that silently broke would show up.

The API answers a bad query with HTTP 200 and an error feed: the parser turns
it into a ParseError carrying arXiv's message, so the run fails naming it. An
empty page although `totalResults` says there is more is something arXiv
sometimes serves by mistake: it is fetched again (`empty_retries` times)
before the run fails rather than ending the day early. A day of submissions
(arXiv's clock, GMT) is complete once arXiv has announced it (`AnnouncedDays`):
the API's latest day is the cutoff day of the newest mailing, and catch-up
and backfill walk its days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo
from urllib.parse import urlencode

from pipeline.http import FetchResult
from pipeline.kinds.base import (DatePlan, Expectation, Fetched, Get, Option, Plan, SourceKind, Unit, http_url,
                                 string_list, whole_number)
from pipeline.kinds.cadence import EVERY_DAY, WEEKDAYS, Cadence, arxiv_holiday
from pipeline.kinds.registry import register
from pipeline.model import ParseError
from pipeline.formats import arxiv_api, arxiv_feed

RSS_BASE = "https://rss.arxiv.org"
API_BASE = "https://export.arxiv.org"
PAGE_SIZE = 500  # a busy day of eess.IV+cs.CV+physics.med-ph fits in one page; arXiv allows up to 2000
EMPTY_RETRIES = 2
ARXIV_INTERVAL = 3.0  # arXiv asks for one request every 3 s
# arXiv announces at 20:00 US-Eastern (Sunday to Thursday) and rebuilds its feeds at midnight
# US-Eastern: ten minutes past it, Monday to Friday, one request reads the new mailing.
AFTER_REBUILD = ("10 0 * * mon-fri", "America/New_York")
# The API shows a mailing hours after the feed; by midday UTC the morning's mailing is in.
AFTER_API_LAG = ("0 12 * * mon-fri", "UTC")
EASTERN = ZoneInfo("America/New_York")
API_SETTLED = timedelta(hours=6)  # after the midnight rebuild, the API has the mailing too
CATEGORIES = Option(list, required=True, check=string_list('a non-empty list of arXiv categories, e.g. ["eess.IV", "cs.CV"]'),
                    expected='a non-empty list of arXiv categories, e.g. ["eess.IV", "cs.CV"]')


class SuspiciousEmptyPage(ParseError):
    """arXiv kept answering an empty page where its own totals promise entries."""


@register
class ArxivRss(SourceKind):
    """Today's announcements of some categories, one feed for all of them."""

    name = "arxiv-rss"
    family = "arxiv"
    options = {"base_url": Option(str, RSS_BASE, check=http_url), "categories": CATEGORIES}
    schedule = AFTER_REBUILD
    # arXiv announces Sunday to Thursday evenings (US-Eastern) and skips holidays: an empty
    # feed is normal, but no announcement at all for over three days means trouble.
    expect = Expectation("never", 80.0)
    politeness = {"rss.arxiv.org": ARXIV_INTERVAL, "arxiv.org": ARXIV_INTERVAL}
    # The feed is dated by its US-Eastern mailing day, Monday to Friday, none on arXiv's holidays.
    cadence = Cadence(daily=True, publishes_on=WEEKDAYS, zone=ZoneInfo("America/New_York"),
                      quiet_day=arxiv_holiday, silence_days=1, usual_volume=50)

    def plan(self, unit: Unit) -> Plan:
        url = f"{str(self.option('base_url')).rstrip('/')}/rss/{'+'.join(self.option('categories'))}"
        return Plan(Unit(), url, {"url": url})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        result = get(plan.target, self.http, expect="xml")
        listing = arxiv_feed.parse(result.body)
        notes = []
        if not listing.entries and listing.listing_date and date.fromisoformat(listing.listing_date).weekday() < 5:
            notes.append(f"no announcements on {listing.listing_date}, a weekday: an arXiv holiday, or the feed is failing")
        return Fetched(listing, plan.target, (result,), tuple(notes), day=listing.listing_date)


def mailing_day(day: date) -> bool:
    """A day with a feed of new papers (dated by its US-Eastern morning)."""
    return day.weekday() < 5 and not arxiv_holiday(day)


def cutoff_day(mailing: date) -> date:
    """The submission day whose 14:00 US-Eastern cutoff closed this mailing: the weekday before it."""
    day = mailing - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class AnnouncedDays(DatePlan):
    """Submission days that arXiv has announced: a day is complete once its mailing is out, not
    when it ends. A weekend's submissions are announced with Monday's and only appear in the API
    on Tuesday, so a day-after fetch of Saturday would find it empty, call it complete, and never
    ask again."""

    def latest(self, now: datetime) -> date:
        eastern = now.astimezone(EASTERN)
        day = eastern.date()
        if eastern < datetime.combine(day, time(0), EASTERN) + API_SETTLED:
            day -= timedelta(days=1)
        while not mailing_day(day):
            day -= timedelta(days=1)
        return cutoff_day(day)


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


@register
class ArxivApi(SourceKind):
    """The papers submitted on a day in some categories, page by page."""

    name = "arxiv-api"
    family = "arxiv"
    options = {
        "base_url": Option(str, API_BASE, check=http_url),
        "categories": CATEGORIES,
        "page_size": Option(int, PAGE_SIZE, check=whole_number(1)),
        "empty_retries": Option(int, EMPTY_RETRIES, check=whole_number(0)),
    }
    schedule = AFTER_API_LAG
    dates = AnnouncedDays(zone=timezone.utc, lag=1)
    paged = True
    politeness = {"export.arxiv.org": ARXIV_INTERVAL}
    # Submissions arrive every day, weekends too (fewer); a day is complete the day after.
    cadence = Cadence(daily=True, publishes_on=EVERY_DAY, silence_days=1, usual_volume=20, lag=1)

    def plan(self, unit: Unit) -> Plan:
        day, start = unit.day or self.default_day(), unit.page or 0
        size = self.option("page_size")
        return Plan(Unit(day=day, page=start), api_url(self.option("base_url"), self.option("categories"), day, start, size),
                    {"day": day.isoformat(), "page": start}, size)

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        """One page of the papers submitted on the day, each sighted on that day."""
        day, start, retries = plan.unit.day, plan.unit.page, self.option("empty_retries")
        responses: list[FetchResult] = []
        for attempt in range(retries + 1):
            result = get(plan.target, self.http, expect="xml")
            responses.append(result)
            listing = arxiv_api.parse(result.body)  # the error feed raises with arXiv's message
            page = arxiv_api.page_info(result.body)
            if listing.entries or page.start >= page.total:
                break
        else:
            raise SuspiciousEmptyPage(
                f"arXiv API: page at {start} empty although totalResults={page.total}, "
                f"{retries + 1} times: arXiv failing?"
            )
        notes = (f"empty page fetched again {attempt} time(s) before arXiv served it",) if attempt else ()
        for rank, entry in enumerate(listing.entries, start=start + 1):
            entry.listing_date = day.isoformat()
            entry.rank = rank
        listing.listing_date = day.isoformat()
        if listing.entries and not page.is_last:
            return Fetched(listing, plan.target, tuple(responses), notes, next_page=page.next_start, total=page.total)
        return Fetched(listing, plan.target, tuple(responses), notes, day=day.isoformat())
