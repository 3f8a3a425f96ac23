"""Hugging Face JSON: `/api/daily_papers`, `/api/papers/search`, `/api/papers/{id}`.

Also accepts the page's hydration object saved on its own (`{"dailyPapers": [...]}`),
so a user can ingest whatever JSON they saved from huggingface.co.
"""

from __future__ import annotations

import json
from collections import Counter

from pipeline.model import Listing, ParseError
from pipeline.formats.hf_items import records_from_items
from pipeline.formats.hf_page import listing_from_props

FORMAT = "hf-api"


def sniff(raw: bytes) -> bool:
    head = raw[:2048].lstrip()
    if b'"message-type"' in head:  # a Crossref answer, whose works have "id"s too
        return False
    return head[:1] in (b"[", b"{") and (b'"paper"' in raw[:65536] or b'"dailyPapers"' in raw[:65536] or b'"id"' in head)


def parse(raw: bytes) -> Listing:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not valid JSON: {exc}") from None
    except RecursionError:  # [[[[...]]]] a hundred thousand deep
        raise ParseError("not valid JSON: nested too deeply") from None
    if isinstance(data, dict) and ("dailyPapers" in data or "searchResults" in data):
        listing = listing_from_props(data)
        listing.format = FORMAT
        return listing
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        raise ParseError(f"Hugging Face API error: {data['error']}")
    items = data if isinstance(data, list) else [data]
    entries = records_from_items(items)
    notes = _one_day_without_daily_stamp(items, entries)
    days = {entry.listing_date for entry in entries}
    dated = bool(entries) and None not in days
    return Listing(
        kind="daily" if dated else "search",
        entries=entries,
        listing_date=days.pop() if dated and len(days) == 1 else None,
        format=FORMAT,
        notes=notes,
    )


def _one_day_without_daily_stamp(items: list, entries: list) -> list[str]:
    """An items answer from before `submittedOnDailyAt` existed is one Daily list, not one per item.

    Its items' own `publishedAt` (when each was put on the list) may fall on the
    evening before in UTC, so the answer is filed under the day most of them
    name; a fetch that asked for a day files it under that day instead.
    """
    listed = [item for item in items if isinstance(item, dict) and isinstance(item.get("paper"), dict)]
    if not listed or len(listed) != len(items) or any(item["paper"].get("submittedOnDailyAt") for item in listed):
        return []
    days = Counter(entry.listing_date for entry in entries if entry.listing_date)
    if not days:
        return []
    day = max(days, key=lambda d: (days[d], d))
    for entry in entries:
        entry.listing_date = day
    if len(days) == 1:
        return []
    return [f"answer without submittedOnDailyAt: its {len(entries)} papers filed under {day}, the day most were listed"]
