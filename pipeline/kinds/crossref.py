"""Crossref (`crossref`): the works journals deposited, by ISSN and index day.

A run asks `/journals/{issn}/works` for each configured ISSN with
`filter=from-index-date:D,until-index-date:D` (the day Crossref indexed a
work: new articles, and updates to old ones) and follows `cursor` paging
(`cursor=*`, then each answer's `next-cursor`) until a page comes back
empty or the total is reached. `mailto` puts the requests in Crossref's
polite pool. An index day is complete once it is over (UTC), so catch-up
and backfill walk index days. Crossref's error answers (`status: failed`)
are failed runs carrying its message.
"""

from __future__ import annotations

import re
from datetime import timezone
from urllib.parse import quote, urlencode

from pipeline.kinds.base import DatePlan, Fetched, Get, Option, Plan, SourceKind, Unit, http_url, string_list, whole_number
from pipeline.kinds.cadence import WEEKDAYS, Cadence
from pipeline.kinds.registry import register
from pipeline.model import Listing
from pipeline.formats import crossref

API_BASE = "https://api.crossref.org"
ROWS = 200
MAX_PAGES = 100  # per ISSN and day: a journal indexes a few hundred works a day at most
ISSNS = 'a non-empty list of ISSNs, e.g. ["0033-8419", "1432-1084"]'


def _issns(value: list) -> str | None:
    problem = string_list(ISSNS)(value)
    if problem:
        return problem
    bad = [v for v in value if not re.fullmatch(r"[0-9]{4}-[0-9]{3}[0-9Xx]", v, re.ASCII)]
    return f"must be {ISSNS}; not an ISSN: {', '.join(bad)}" if bad else None


@register
class Crossref(SourceKind):
    name = "crossref"
    family = "crossref"
    options = {
        "base_url": Option(str, API_BASE, check=http_url),
        "issns": Option(list, required=True, check=_issns, expected=ISSNS),
        "mailto": Option(str, expected="a contact address for Crossref's polite pool"),
        "rows": Option(int, ROWS, check=whole_number(1)),
    }
    schedule = ("29 5 * * *", "UTC")
    dates = DatePlan(zone=timezone.utc, lag=1)
    politeness = {"api.crossref.org": 0.1}
    # Publishers deposit on weekdays; a handful of journals may have a quiet day or two.
    cadence = Cadence(daily=True, publishes_on=WEEKDAYS, silence_days=3, lag=1)

    def page_url(self, issn: str, day, cursor: str) -> str:
        stamp = day.isoformat()
        query = {"filter": f"from-index-date:{stamp},until-index-date:{stamp}", "rows": str(self.option("rows")),
                 "cursor": cursor}
        if self.option("mailto"):
            query["mailto"] = self.option("mailto")
        return f"{self.option('base_url').rstrip('/')}/journals/{quote(issn)}/works?{urlencode(query)}"

    def plan(self, unit: Unit) -> Plan:
        day = unit.day or self.default_day()
        return Plan(Unit(day=day), self.page_url(self.option("issns")[0], day, "*"), {"day": day.isoformat()})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        day = plan.unit.day
        listing = Listing(kind="journal", format=crossref.FORMAT, listing_date=day.isoformat(), confirmed_empty=True)
        responses, notes = [], []
        for issn in self.option("issns"):
            cursor, seen = "*", 0
            for _ in range(MAX_PAGES):
                result = get(self.page_url(issn, day, cursor), self.http, expect="json")
                responses.append(result)
                page = crossref.parse(result.body)  # Crossref's error answer raises with its message
                next_cursor, total = crossref.next_cursor(result.body)
                listing.entries += page.entries
                listing.notes += page.notes
                seen += len(page.entries)
                # Crossref often hands back the same cursor for every page: the end is an empty page.
                if next_cursor is None or seen >= total:
                    break
                cursor = next_cursor
            else:
                notes.append(f"ISSN {issn}: stopped after {MAX_PAGES} pages of {day}")
        listing.confirmed_empty = not listing.entries
        for rank, entry in enumerate(listing.entries, start=1):
            entry.listing_date, entry.rank = day.isoformat(), rank
        return Fetched(listing, plan.target, tuple(responses), tuple(notes), day=day.isoformat())
