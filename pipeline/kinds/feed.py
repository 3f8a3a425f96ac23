"""Fetching any RSS/Atom feed named in configuration (journal tables of contents, PubMed searches).

The format is told from the content, as for an ad-hoc URL, so a `feed`
source that turns out to be an arXiv or bioRxiv feed is read by the parser
that knows it. A feed is a rolling window, not a day: runs record no day.
"""

from __future__ import annotations

from pipeline.fetch_hf import Fetched
from pipeline.http import HttpSettings, fetch
from pipeline.record import ParseError
from pipeline.sources import parse_any


def feed(url: str, http: HttpSettings, fetch=fetch) -> Fetched:
    result = fetch(url, http, expect="xml")
    listing = parse_any(result.body)
    if listing.kind not in ("feed", "api"):
        raise ParseError(f"{url}: a {listing.format} listing, not a feed")
    notes = [] if listing.entries else ["feed has no entries"]
    return Fetched(listing, url, [result], notes)
