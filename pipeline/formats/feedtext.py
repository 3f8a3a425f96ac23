"""Text and date cleaning shared by the feed parsers.

Feeds mix plain text, escaped HTML and LaTeX in the same fields. Abstracts are
full of `$x<y$`, which a general HTML cleaner takes for a tag and deletes, so
only real HTML tag names are removed here and everything else is kept as the
author wrote it.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from pipeline.text import clean_text as collapse_text

from .dates import EARLIEST_YEAR, LATEST_YEAR, plausible_iso

# Block-level tags become a space, inline ones vanish: `H<sub>2</sub>O` is H2O.
_BLOCK_TAGS = "p|br|div|li|ul|ol|h[1-6]|hr|blockquote|table|tr|td|th|pre|section"
_INLINE_TAGS = "a|abbr|b|big|code|em|font|i|img|small|span|strong|sub|sup|tt|u|q|cite|mark"
_BLOCK_TAG_RE = re.compile(rf"</?(?:{_BLOCK_TAGS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_INLINE_TAG_RE = re.compile(
    rf"</?(?:(?:{_INLINE_TAGS})|(?:jats|mml):[\w.-]+)(?:\s[^<>]*)?/?>", re.IGNORECASE
)
_SUPERSCRIPT_RE = re.compile(r"<sup(?:\s[^<>]*)?>", re.IGNORECASE)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACE_RE = re.compile(r"\s+")
_DAY_ONLY_RE = re.compile(r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2})\s*$")


def clean_text(text: str | None) -> str:
    """Entities decoded and whitespace collapsed; `<`, `$`, `\\` kept. Empty text is ""."""
    return collapse_text(text) or ""


def first_text(entry: dict, *keys: str) -> str | None:
    """The first of `keys` holding non-blank text, cleaned (feedparser's names for one
    element vary: `arxiv_journal_ref` in the API, `arxiv_journal_reference` in RSS)."""
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return clean_text(value)
    return None


def html_to_text(text: str | None) -> str:
    """Plain text of an HTML fragment: tags removed first, then entities decoded,
    so that an escaped `&lt;` in LaTeX survives as `<` and is not taken for a tag."""
    if not text:
        return ""
    text = _SCRIPT_RE.sub(" ", text)
    text = _SUPERSCRIPT_RE.sub("^", text)  # 10<sup>6</sup> must not read as 106
    text = _BLOCK_TAG_RE.sub(" ", text)
    text = _INLINE_TAG_RE.sub("", text)
    return clean_text(text)


def detail_text(entry: dict, key: str) -> str:
    """A feedparser text field, cleaned according to the type feedparser saw."""
    value = entry.get(key)
    if not isinstance(value, str):
        return ""
    # feedparser keeps the type in `<key>_detail`, or beside the value in content items.
    detail = entry.get(f"{key}_detail") or entry
    if "html" in str(detail.get("type", "")):
        return html_to_text(value)
    return clean_text(value)


def _plausible(value: datetime | None) -> datetime | None:
    """None for a year no paper was published in (0001, 9999): placeholders, not dates."""
    return value if value is not None and EARLIEST_YEAR <= value.year <= LATEST_YEAR else None


def written_datetime(raw: str | None) -> datetime | None:
    """A feed date as written, keeping its own UTC offset.

    feedparser converts dates to UTC, which moves `Mon, 22 Sep 2025 00:00:00
    -0400`'s calendar day for any offset east of UTC; arXiv days are named in
    US/Eastern, so the day must be read from the string as written.
    """
    if not raw or not isinstance(raw, str):
        return None
    raw = raw.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
    return _plausible(parsed)


def written_day(raw: str | None) -> str | None:
    """The calendar day of a feed date in the offset it was written in."""
    parsed = written_datetime(raw)
    return parsed.date().isoformat() if parsed else None


def next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def utc_iso(value: datetime | time.struct_time | None) -> str | None:
    """`2025-09-22T04:00:00Z`; naive datetimes and struct_times are taken as UTC."""
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        try:
            value = datetime(*value[:6], tzinfo=timezone.utc)
        except (ValueError, OverflowError):
            return None
    if _plausible(value) is None:
        return None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(timezone.utc)
        except (ValueError, OverflowError):
            return None
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_date_iso(entry: dict, key: str) -> str | None:
    """A feedparser date field as an ISO day (when the feed gives only a day)
    or a UTC timestamp, so that a bare `2019-11-29` does not become midnight UTC."""
    # dict.get, not entry.get: feedparser answers a missing `updated` with
    # `published`, and the two mean different things here.
    raw = dict.get(entry, key)
    if isinstance(raw, str):
        day_only = _DAY_ONLY_RE.match(raw)
        if day_only:
            # `2026-13-45` matches the pattern but is no day: it would sort and filter as one.
            return plausible_iso(day_only.group(1))
        written = written_datetime(raw)
        if written is not None and written.tzinfo is not None:
            return utc_iso(written)
    parsed = dict.get(entry, f"{key}_parsed")
    return utc_iso(parsed) if isinstance(parsed, time.struct_time) else None
