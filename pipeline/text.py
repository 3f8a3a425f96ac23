"""Cleaning of titles and abstracts as sources deliver them.

Sources hard-wrap abstracts, indent wrapped titles, pad CDATA with tabs and
leave HTML entities in place. Papers are compared and shown after this
cleaning, so the same title from two sources looks the same. LaTeX is left
alone on purpose: it is what the authors wrote.
"""

from __future__ import annotations

import html
import re

_WHITESPACE = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    """Collapse whitespace and decode entities; None for empty text."""
    if value is None:
        return None
    cleaned = _WHITESPACE.sub(" ", html.unescape(value)).strip()
    return cleaned or None


def parse_int(value: object) -> int | None:
    """An int from an API number or a page's text ("1,234"), else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    digits = str(value).strip().replace(",", "")
    return int(digits) if digits.isdigit() else None
