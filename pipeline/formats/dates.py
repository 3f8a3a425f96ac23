"""Dates as bibliographic sources give them: whole, partial, or impossible.

PubMed and Crossref often know only a year and a month (`2018 Apr`,
`[[2018, 4]]`); such a date is kept at the precision it has, as reduced ISO
8601 (`2018-04`), never padded into a day nobody published on. A date that
cannot exist (`2026-13-45`, year 0001 or 9999, `not-a-date`) is None: it
must not be stored as text that sorts first or matches every `--since`
filter. Callers note what they dropped.
"""

from __future__ import annotations

import re
from datetime import date

# Scholarly journals exist since 1665; a date past 2100 is a placeholder.
EARLIEST_YEAR, LATEST_YEAR = 1665, 2100
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_SEASONS = {"winter": 1, "spring": 3, "summer": 6, "fall": 9, "autumn": 9}
_ISO_RE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?", re.ASCII)


def month_number(text: str | None) -> int | None:
    """`06`, `6`, `Jun`, `June`, `Spring` -> month number; None when it is none of them."""
    if not text:
        return None
    text = text.strip().lower()
    if re.fullmatch(r"[0-9]{1,2}", text, re.ASCII):
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(text[:3]) if text[:3] in _MONTHS else _SEASONS.get(text)


def partial_iso(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    """`2018`, `2018-04` or `2018-04-09`, or None when the parts make no real date."""
    if year is None or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def plausible_iso(text: str | None) -> str | None:
    """The text when it starts with a real (possibly partial) ISO date, else None."""
    if not text:
        return None
    match = _ISO_RE.match(text.strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    if partial_iso(year, month, day) is None:
        return None
    return text.strip()


def earliest(candidates: list[str]) -> str | None:
    """The earliest of several partial ISO dates; a more precise date inside
    that period wins over it (`2024-06-22` over `2024-06`, `2024`)."""
    present = sorted(c for c in candidates if c)
    if not present:
        return None
    first = present[0]
    inside = [c for c in present if c.startswith(first)]
    return min(inside, key=lambda c: (-len(c), c))
