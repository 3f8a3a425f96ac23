"""The hydration object of a huggingface.co papers page (`data-props` of DailyPapers).

Daily, week and month pages carry their papers in `dailyPapers`; search pages
add `searchResults` while `dailyPapers` still holds the trending list, so the
search results win when present.
"""

from __future__ import annotations

from pipeline.model import Listing, ParseError
from pipeline.formats.hf_items import iso_day, records_from_items


def listing_from_props(props: object) -> Listing:
    if not isinstance(props, dict):
        raise ParseError("DailyPapers data is not a JSON object: layout change?")
    if isinstance(props.get("searchResults"), list):
        items, kind = props["searchResults"], "search"
    elif isinstance(props.get("dailyPapers"), list):
        period = props.get("periodType")
        items, kind = props["dailyPapers"], period if isinstance(period, str) and period else "daily"
    else:
        raise ParseError("DailyPapers data has no dailyPapers list: layout change?")
    query = props.get("query")
    if kind != "search" and isinstance(query, dict) and query.get("q"):
        kind = "search"
    page_day = iso_day(props.get("date") or props.get("dateString"))
    entries = records_from_items(items)
    if kind == "daily":
        for entry in entries:
            # The page's own day is the listing; an item's own timestamp can be the evening before.
            entry.listing_date = page_day or entry.listing_date
    return Listing(kind=kind, entries=entries, listing_date=page_day if kind == "daily" else None)
