"""huggingface.co papers pages (daily, date, week, month, search) as HTML.

The page embeds its papers as JSON in the `data-props` of the
`data-target="DailyPapers"` hydrater: that is the primary path, and the only
one with abstracts and authors. The `<article>` cards are the fallback when
the JSON is missing or broken; they give id, title, upvotes, comments and
submitter. Selection is by `data-target` and by link shape, never by class
names, which Hugging Face changes with every redesign.
"""

from __future__ import annotations

import json
import re
from itertools import islice
from typing import TYPE_CHECKING


from pipeline.identity.ids import parse_arxiv_id
from pipeline.model import Listing, ParseError, PaperRecord
from pipeline.formats.hf_items import ARXIV_ABS_URL, ARXIV_PDF_URL, HF_PAPER_URL, iso_day
from pipeline.formats.hf_page import listing_from_props
from pipeline.text import clean_text, parse_int

if TYPE_CHECKING:  # bs4 is imported by the parse, not by every command
    from bs4 import BeautifulSoup

FORMAT = "hf-html"
_PAPER_HREF = re.compile(r"^/papers/([^/?#]+)")


def sniff(raw: bytes) -> bool:
    head = raw[:4096].lstrip().lower()
    if not (head.startswith(b"<!doctype html") or head.startswith(b"<html") or b"<head" in head):
        return False
    return b'data-target="DailyPapers"' in raw or b"data-target='DailyPapers'" in raw or b'href="/papers/' in raw


def _soup(raw: bytes) -> BeautifulSoup:
    """Hugging Face serves UTF-8: bytes that are valid UTF-8 are read as such whatever
    the page declares, since a wrong `<meta charset>` (a proxy, a re-save) would
    otherwise turn every accented author name into mojibake without any error."""
    try:
        raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = None
    from bs4 import BeautifulSoup

    return BeautifulSoup(raw, "lxml", from_encoding=encoding)


def parse(raw: bytes) -> Listing:
    """Hydration JSON first, cards second; ParseError when neither is there.

    A page that stops before `</html>` was cut off: its card list may be
    missing papers at the end, so it is refused rather than half-read.
    """
    if b"</html>" not in raw[-4096:].lower():
        raise ParseError(f"page ends before </html> after {len(raw)} bytes: truncated response?")
    soup = _soup(raw)
    try:
        listing = _from_hydration(soup)
    except ParseError as json_problem:
        listing = _from_cards(soup)
        if not listing.entries:
            raise json_problem from None
        listing.notes.append(f"{json_problem}; used the {len(listing.entries)} cards instead")
    listing.format = FORMAT
    return listing


def parse_cards(raw: bytes) -> Listing:
    """The card path alone, so it can be checked against the JSON path."""
    listing = _from_cards(_soup(raw))
    listing.format = FORMAT
    return listing


def _page_day(soup: BeautifulSoup) -> str | None:
    time = soup.find("time", attrs={"datetime": True})
    return iso_day(time["datetime"]) if time else None


def _from_hydration(soup: BeautifulSoup) -> Listing:
    node = soup.select_one('[data-target="DailyPapers"][data-props]')
    if node is None:
        raise ParseError("no DailyPapers data found: layout change?")
    try:
        props = json.loads(node["data-props"])
    except ValueError as exc:
        raise ParseError(f"DailyPapers data is not valid JSON ({exc}): truncated page?") from None
    except RecursionError:
        raise ParseError("DailyPapers data is not valid JSON: nested too deeply") from None
    listing = listing_from_props(props)
    if listing.kind == "daily" and listing.listing_date is None:
        listing.listing_date = _page_day(soup)
        for entry in listing.entries:
            entry.listing_date = listing.listing_date
    return listing


def _from_cards(soup: BeautifulSoup) -> Listing:
    page_day = _page_day(soup)
    entries = []
    for article in soup.find_all("article"):
        link = article.select_one('h3 > a[href^="/papers/"]') or article.select_one('h3 a[href^="/papers/"]')
        if link is None:
            continue
        match = _PAPER_HREF.match(link["href"])
        parsed = parse_arxiv_id(match.group(1)) if match else None
        title = clean_text(link.get_text(""))
        if parsed is None or not title:
            continue
        arxiv_id = parsed[0]
        entries.append(
            PaperRecord(
                title=title,
                arxiv_id=arxiv_id,
                hf_url=HF_PAPER_URL.format(id=arxiv_id),
                arxiv_url=ARXIV_ABS_URL.format(id=arxiv_id),
                pdf_url=ARXIV_PDF_URL.format(id=arxiv_id),
                listing_date=page_day,
                rank=len(entries) + 1,
                upvotes=_card_upvotes(article),
                comments=_card_comments(article),
                submitter=_card_submitter(article),
            )
        )
    return Listing(kind="daily" if page_day else "search", entries=entries, listing_date=page_day)


def _card_upvotes(article) -> int | None:
    for node in article.select("div.leading-none"):
        count = parse_int(node.get_text(strip=True))
        if count is not None:
            return count
    return None


def _card_comments(article) -> int | None:
    link = article.select_one('a[href$="#community"]')
    return parse_int(link.get_text(strip=True)) if link else None


# A submitter line is short: the label, an avatar and a user name.
_SUBMITTER_PIECES = 40


def _card_submitter(article) -> str | None:
    """The user after "Submitted by", read from the few nodes of the label's own element.

    Asking each `<div>` for its whole text reads a subtree once per ancestor,
    quadratic in nesting depth (minutes for a page of 20,000 nested divs); here
    only the label strings and a bounded number of their neighbours are read.
    """
    from bs4 import NavigableString

    for label in article.find_all(string=lambda s: "Submitted by" in s):
        pieces = [str(node) for node in islice(label.parent.descendants, _SUBMITTER_PIECES)
                  if isinstance(node, NavigableString)]
        text = " ".join(" ".join(pieces).split())
        if text.startswith("Submitted by") and len(text) < 120:
            return clean_text(text.removeprefix("Submitted by")) or None
    return None
