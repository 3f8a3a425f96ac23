"""A source kind made for the tests: one JSON list of papers per day, `GET {url}?day=YYYY-MM-DD`.

It is the whole of what a new kind takes: this module, registered. Nothing
else in the package is told about it (see tests/test_toy_kind.py).
"""

from __future__ import annotations

import json
from datetime import timezone

from pipeline.kinds.base import DatePlan, Expectation, Fetched, Get, Option, Plan, SourceKind, Unit, http_url
from pipeline.model import Listing, PaperRecord, ParseError

FORMAT = "toy-json"


def parse(raw: bytes, day: str) -> Listing:
    """`[{"title": ..., "doi": ...}, ...]` as the listing of `day`."""
    try:
        items = json.loads(raw)
    except ValueError as exc:
        raise ParseError(f"not JSON: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) and item.get("title") for item in items):
        raise ParseError("expected a JSON list of objects with a title")
    entries = [PaperRecord(title=item["title"], doi=item.get("doi"), published_at=day, listing_date=day, rank=rank)
               for rank, item in enumerate(items, 1)]
    return Listing(kind="daily", entries=entries, listing_date=day, format=FORMAT)


class ToyJson(SourceKind):
    name = "toy-json"
    family = "feed"
    options = {"url": Option(str, required=True, check=http_url)}
    schedule = ("17 6 * * *", "UTC")
    dates = DatePlan(zone=timezone.utc)
    expect = Expectation(entries="never", every_hours=30)

    def plan(self, unit: Unit) -> Plan:
        day = unit.day or self.default_day()
        return Plan(Unit(day=day), f"{self.option('url')}?day={day.isoformat()}", {"day": day.isoformat()})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        result = get(plan.target, self.http, expect="json")
        day = plan.unit.day.isoformat()
        return Fetched(parse(result.body, day), plan.target, (result,), day=day)
