"""PubMed through NCBI E-utilities (`pubmed`): a standing query, one run per Entrez day.

A run asks `esearch` for the query's records of one Entrez day
(`datetype=edat`, `mindate` = `maxdate` = the day) and leaves them on NCBI's
history server (`usehistory=y`), then reads them with `efetch` in pages of
`page_size` (at most 200) by `retstart` from `WebEnv`/`query_key`, so the
ids never travel in URLs. A day is addressed by its date, so catch-up and
backfill walk Entrez days; a day's records are complete once it is over in
Bethesda, so the latest day is yesterday there.

NCBI's rules: at most 3 requests a second without an API key, 10 with one;
`tool` and `email` on every request. The key is read from the environment
variable the source names in `api_key_env` (never from the file); when that
variable is unset the source runs at the slower rate and the run says so.
A 429 is retried after the wait NCBI asks for by the HTTP layer.
`Count` 0 is a quiet day (an `empty` run); an `<ERROR>` answer is a failed
run carrying NCBI's message.
"""

from __future__ import annotations

import dataclasses
import os
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from pipeline.kinds.base import DatePlan, Fetched, Get, Option, Plan, SourceKind, Unit, http_url, whole_number
from pipeline.kinds.cadence import WEEKDAYS, Cadence
from pipeline.kinds.registry import register
from pipeline.model import Listing, ParseError
from pipeline.formats import pubmed
from pipeline.formats.pubmed_search import parse_search

EUTILS_BASE = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
PAGE_SIZE = 200
WITHOUT_KEY, WITH_KEY = 1 / 3, 1 / 10  # seconds between requests: 3/s, 10/s
MAX_RECORDS = 10_000  # esearch's history pages stop there; a day of any imaging query is far below


def _page_size(value: int) -> str | None:
    return None if 1 <= value <= PAGE_SIZE else f"must be between 1 and {PAGE_SIZE}"


@register
class Pubmed(SourceKind):
    name = "pubmed"
    family = "pubmed"
    options = {
        "base_url": Option(str, EUTILS_BASE, check=http_url),
        "term": Option(str, required=True, expected="a PubMed query, e.g. \"diagnostic imaging\"[MeSH] AND ..."),
        "email": Option(str, required=True, expected="the address NCBI may contact about this tool's traffic"),
        "tool": Option(str, "paperfeed"),
        "api_key_env": Option(str, expected="the name of an environment variable holding the NCBI API key"),
        "page_size": Option(int, PAGE_SIZE, check=_page_size),
    }
    schedule = ("17 6 * * *", "America/New_York")
    dates = DatePlan(zone=ZoneInfo("America/New_York"), lag=1)
    politeness = {"eutils.ncbi.nlm.nih.gov": WITHOUT_KEY}
    # Entrez adds records every weekday; a narrow query may have a quiet day.
    cadence = Cadence(daily=True, publishes_on=WEEKDAYS, zone=ZoneInfo("America/New_York"), silence_days=3, lag=1)

    def api_key(self) -> str | None:
        variable = self.option("api_key_env")
        return (os.environ.get(variable) or "").strip() or None if variable else None

    def paced(self) -> tuple[object, list[str]]:
        """HTTP settings with NCBI's rate for this key (or its absence) on the E-utilities host."""
        host = (urlsplit(self.option("base_url")).hostname or "").lower()
        key = self.api_key()
        notes = []
        if self.option("api_key_env") and key is None:
            notes.append(f"environment variable {self.option('api_key_env')} is not set: 3 requests/s without an NCBI API key")
        intervals = {**self.http.min_interval, host: WITH_KEY if key else WITHOUT_KEY}
        return dataclasses.replace(self.http, min_interval=intervals), notes

    def _common(self, with_key: bool = True) -> dict[str, str]:
        params = {"db": "pubmed", "tool": self.option("tool"), "email": self.option("email")}
        key = self.api_key() if with_key else None
        if key:
            params["api_key"] = key
        return params

    def search_url(self, day, with_key: bool = True) -> str:
        stamp = day.strftime("%Y/%m/%d")
        query = {"term": self.option("term"), "datetype": "edat", "mindate": stamp, "maxdate": stamp,
                 "usehistory": "y", "retmax": "0", **self._common(with_key)}
        return f"{self.option('base_url').rstrip('/')}/esearch.fcgi?{urlencode(query)}"

    def fetch_url(self, web_env: str, query_key: str, start: int) -> str:
        query = {"query_key": query_key, "WebEnv": web_env, "retstart": str(start),
                 "retmax": str(self.option("page_size")), "retmode": "xml", **self._common()}
        return f"{self.option('base_url').rstrip('/')}/efetch.fcgi?{urlencode(query)}"

    def plan(self, unit: Unit) -> Plan:
        day = unit.day or self.default_day()
        # The ledger's target never carries the key.
        return Plan(Unit(day=day), self.search_url(day, with_key=False), {"day": day.isoformat()})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        day = plan.unit.day
        http, notes = self.paced()
        searched = get(self.search_url(day), http, expect="xml")
        found = parse_search(searched.body)  # NCBI's <ERROR> raises with its message
        responses = [searched]
        listing = Listing(kind="search", format=pubmed.FORMAT, listing_date=day.isoformat(), confirmed_empty=found.count == 0)
        if found.count and not (found.web_env and found.query_key):
            raise ParseError(f"PubMed esearch: {found.count} records but no WebEnv/query_key: history server off?")
        total = min(found.count, MAX_RECORDS)
        if found.count > MAX_RECORDS:
            notes.append(f"esearch found {found.count} records for {day}; only the first {MAX_RECORDS} can be fetched")
        for start in range(0, total, self.option("page_size")):
            page = get(self.fetch_url(found.web_env, found.query_key, start), http, expect="xml")
            responses.append(page)
            parsed = pubmed.parse(page.body)
            listing.entries += parsed.entries
            listing.notes += parsed.notes
        if len(listing.entries) < total:
            notes.append(f"esearch counted {total} records, efetch returned {len(listing.entries)}")
        for rank, entry in enumerate(listing.entries, start=1):
            entry.listing_date, entry.rank = day.isoformat(), rank
        return Fetched(listing, plan.target, tuple(responses), tuple(notes), day=day.isoformat())
