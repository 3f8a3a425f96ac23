"""A Hugging Face papers page saved as rendered text (select all, copy, paste).

This is how the reference search listing of this project was kept: no
markup, no ids, just each card's title, abstract, "N authors" and date. The
cards carry no arXiv id and no author names, so the papers are identified by
their folded title (see `pipeline.identity.ids.title_key`); once an arXiv or Hugging
Face listing shows the same title, the identity store can join them.

Card dates are the paper's publication day. A date without a year (`Feb 14`)
is left out rather than guessed: the page does not say which year it was
rendered in. A trailing number after a full date (`Dec 11, 2025 2`) is the
upvote count; its absence means unknown, not zero.
"""

from __future__ import annotations

import re
from datetime import datetime

from pipeline.model import Listing, ParseError, PaperRecord
from pipeline.formats.encoding import as_utf8
from pipeline.text import clean_text

FORMAT = "hf-text"
_MARKERS = (b"Daily Papers", b"byAK and the research community")
_AUTHORS = re.compile(r"^\s*[\u2022•]\s*([0-9]+)\s+authors?\s*$")
_SEPARATOR = "\u00b7"
_FULL_DATE = re.compile(r"^([A-Z][a-z]{2}) ([0-9]{1,2}), ([0-9]{4})(?: ([0-9]+))?$")
_SHORT_DATE = re.compile(r"^[A-Z][a-z]{2} [0-9]{1,2}$")


def sniff(raw: bytes) -> bool:
    head = raw[:4096]
    if head.lstrip()[:1] in (b"<", b"{", b"["):
        return False
    return all(marker in head for marker in _MARKERS)


def _paragraphs(text: str) -> list[list[str]]:
    paragraphs, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _is_meta(paragraph: list[str]) -> bool:
    return bool(_AUTHORS.match(paragraph[0]))


def _published_and_upvotes(paragraph: list[str]) -> tuple[str | None, int | None]:
    """From `• 11 authors / · / Jun 6, 2025 [2]`."""
    lines = [line.strip() for line in paragraph[1:] if line.strip() != _SEPARATOR]
    if not lines:
        return None, None
    match = _FULL_DATE.match(lines[-1])
    if match:
        month, day, year, upvotes = match.groups()
        published = datetime.strptime(f"{month} {day} {year}", "%b %d %Y").date().isoformat()
        return published, int(upvotes) if upvotes else None
    if _SHORT_DATE.match(lines[-1]):
        return None, None
    raise ParseError(f"card metadata ends with {lines[-1]!r}, not a date")


def parse(raw: bytes) -> Listing:
    try:
        text = as_utf8(raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"rendered text page is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    paragraphs = _paragraphs(text)
    header_end = next((i for i, p in enumerate(paragraphs) if p[0].strip() == _MARKERS[1].decode()), None)
    if header_end is None:
        raise ParseError("no 'byAK and the research community' header: not a rendered Daily Papers page")
    cards = paragraphs[header_end + 1 :]
    if cards and _SHORT_DATE.match(cards[0][0].strip()):
        cards = cards[1:]  # the page's own date ("Feb 23")
    entries: list[PaperRecord] = []
    complete: list[bool] = []  # whether each card ended with its "N authors · date" block
    index = 0
    while index < len(cards):
        title_block = cards[index]
        if _is_meta(title_block) or len(title_block) != 1:
            raise ParseError(f"expected a card title, found {title_block[0].strip()[:60]!r}")
        abstract = None
        index += 1
        if index < len(cards) and not _is_meta(cards[index]) and len(cards[index]) == 1 and _looks_like_abstract(cards[index][0]):
            abstract = clean_text(cards[index][0])
            index += 1
        published, upvotes = None, None
        has_date = False
        if index < len(cards) and _is_meta(cards[index]):
            published, upvotes = _published_and_upvotes(cards[index])
            has_date = len([line for line in cards[index][1:] if line.strip() != _SEPARATOR]) > 0
            index += 1
        complete.append(has_date)
        entries.append(PaperRecord(
            title=clean_text(title_block[0]) or "",
            abstract=abstract,
            published_at=published,
            rank=len(entries) + 1,
            upvotes=upvotes,
        ))
    if not entries:
        raise ParseError("rendered Daily Papers page with no cards: layout change?")
    notes = []
    if not complete[-1]:
        # A whole page ends with its last card's date line; without it the copy was cut short,
        # and its last card (title, maybe part of an abstract) is not a card to store.
        cut = entries.pop()
        notes.append(f"page cut short: it ends inside the card {cut.title[:60]!r}, which was dropped;"
                     f" {len(entries)} complete cards kept, later cards may be missing")
        if not entries:
            raise ParseError("rendered Daily Papers page cut short before its first complete card")
    return Listing(kind="search", entries=entries, format=FORMAT, notes=notes)


def _looks_like_abstract(line: str) -> bool:
    """A title is a short line; an abstract is prose of several sentences."""
    return len(line) > 200 or line.count(". ") >= 2
