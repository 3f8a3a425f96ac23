"""arXiv OAI-PMH (`arxiv-oai`): the bulk path, one metadata-change day of some sets.

A run asks `ListRecords` for each configured set (`eess:eess:IV`, `cs:cs:CV`,
...) with `from` = `until` = the day, in the configured metadata format
(`arXiv`, `arXivRaw` or `oai_dc`), and follows `resumptionToken`s until a
page comes without one. The day is an OAI datestamp: the day arXiv last
changed a record's metadata (a new paper, a new version, a journal
reference added years later), not the day a paper was submitted, so a
backfilled day holds the papers whose records changed that day; each
record keeps its own created and version dates. Requests go to arXiv's
export host, paced with the API (one request every 3 s across all
processes); a 503 with Retry-After is waited out by the HTTP layer.
"""

from __future__ import annotations

from datetime import timezone
from urllib.parse import urlencode

from pipeline.kinds.arxiv import ARXIV_INTERVAL
from pipeline.kinds.base import DatePlan, Fetched, Get, Option, Plan, SourceKind, Unit, http_url, one_of, string_list
from pipeline.kinds.cadence import WEEKDAYS, Cadence
from pipeline.kinds.registry import register
from pipeline.model import Listing
from pipeline.formats import arxiv_oai

OAI_BASE = "https://export.arxiv.org/oai2"
MAX_PAGES = 200  # 1000 records a page: far beyond any set's day
SETS = 'a non-empty list of OAI sets, e.g. ["eess:eess:IV", "cs:cs:CV"]'


@register
class ArxivOai(SourceKind):
    name = "arxiv-oai"
    family = "arxiv"
    options = {
        "base_url": Option(str, OAI_BASE, check=http_url),
        "sets": Option(list, required=True, check=string_list(SETS), expected=SETS),
        "metadata_prefix": Option(str, "arXiv", check=one_of(*arxiv_oai.PREFIXES)),
    }
    schedule = ("11 9 * * *", "UTC")
    dates = DatePlan(zone=timezone.utc, lag=1)
    politeness = {"export.arxiv.org": ARXIV_INTERVAL, "oaipmh.arxiv.org": ARXIV_INTERVAL}
    # arXiv changes records on every announcement day; datestamps of a few sets skip no weekday.
    cadence = Cadence(daily=True, publishes_on=WEEKDAYS, silence_days=2, lag=1)

    def first_url(self, oai_set: str, day) -> str:
        query = {"verb": "ListRecords", "metadataPrefix": self.option("metadata_prefix"), "set": oai_set,
                 "from": day.isoformat(), "until": day.isoformat()}
        return f"{self.option('base_url')}?{urlencode(query)}"

    def next_url(self, token: str) -> str:
        return f"{self.option('base_url')}?{urlencode({'verb': 'ListRecords', 'resumptionToken': token})}"

    def plan(self, unit: Unit) -> Plan:
        day = unit.day or self.default_day()
        return Plan(Unit(day=day), self.first_url(self.option("sets")[0], day), {"day": day.isoformat()})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        day = plan.unit.day
        listing = Listing(kind="oai", format=arxiv_oai.FORMAT, listing_date=day.isoformat())
        responses, notes = [], []
        for oai_set in self.option("sets"):
            url = self.first_url(oai_set, day)
            for _ in range(MAX_PAGES):
                result = get(url, self.http, expect="xml")
                responses.append(result)
                page = arxiv_oai.parse(result.body)  # OAI errors raise with arXiv's code and message
                listing.entries += page.entries
                listing.notes += [f"{oai_set}: {note}" for note in page.notes]
                token = arxiv_oai.resumption(result.body).token
                if not token:
                    break
                url = self.next_url(token)
            else:
                notes.append(f"set {oai_set}: stopped after {MAX_PAGES} pages of {day}")
        listing.confirmed_empty = not listing.entries
        for rank, entry in enumerate(listing.entries, start=1):
            entry.rank = rank
            # Filed under the day harvested: the datestamp the request asked for.
            entry.listing_date = entry.listing_date or day.isoformat()
        return Fetched(listing, plan.target, tuple(responses), tuple(notes), day=day.isoformat())
