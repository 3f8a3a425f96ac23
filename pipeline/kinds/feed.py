"""Any RSS/Atom feed named in configuration (`feed`: journal tables of contents, PubMed searches).

The format is told from the content, as for an ad-hoc URL, so a `feed`
source that turns out to be an arXiv or bioRxiv feed is read by the parser
that knows it. A feed is a rolling window, not a day: runs record no day.
"""

from __future__ import annotations

from pipeline.kinds.base import Fetched, Get, Option, Plan, SourceKind, Unit, http_url
from pipeline.kinds.cadence import Cadence
from pipeline.kinds.registry import register
from pipeline.model import ParseError
from pipeline.formats import parse_any


@register
class Feed(SourceKind):
    name = "feed"
    family = "feed"
    options = {"url": Option(str, required=True, check=http_url)}
    # A journal's table of contents changes with its issues or online-first articles; until the
    # feed's own history says how often, ten days without a new item is stale.
    cadence = Cadence(silence_days=10)

    def plan(self, unit: Unit) -> Plan:
        return Plan(Unit(), self.option("url"), {"url": self.option("url")})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        result = get(plan.target, self.http, expect="xml")
        listing = parse_any(result.body)
        if listing.kind not in ("feed", "api"):
            raise ParseError(f"{plan.target}: a {listing.format} listing, not a feed")
        return Fetched(listing, plan.target, (result,), () if listing.entries else ("feed has no entries",))
