"""arXiv's daily announcement feeds: rss.arxiv.org RSS 2.0 and Atom, and the
RSS 1.0/RDF that export.arxiv.org served before 2024-01-31.

All three carry the same facts in different places. The current formats
prefix every description with `arXiv:2509.15234v1 Announce Type: new` and have
an `arxiv:announce_type` element; the legacy one puts id, version, primary
category and "CROSS LISTED"/"UPDATED" into the title. Records come out the same.

Dates: arXiv names an announcement by the US/Eastern midnight that follows the
20:00 ET mailing (RSS `pubDate` `Mon, 22 Sep 2025 00:00:00 -0400` is the
2025-09-22 listing). Legacy feeds only carry the build time of that evening
(`dc:date 2018-05-23T20:30:00-05:00`), so from 20:00 ET on the listing day is
the next day (2018-05-24), which names the batch as the current feeds would. `published_at` is that midnight in UTC for new papers and
cross-lists; replacements are old papers, so their announcement goes to
`updated_at` and `published_at` stays None rather than pretending to be v1.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.identity.ids import first_arxiv_id, normalize_doi, parse_arxiv_id
from pipeline.model import Listing, PaperRecord, ParseError

from . import arxiv_feed_xml
from .authors import split_arxiv_creators, split_legacy_creators
from .feedload import load_feed, looks_like_feed
from .feedtext import clean_text, first_text, html_to_text, next_day, utc_iso, written_datetime

_FORMATS = {"rss20": "arxiv-rss", "atom10": "arxiv-atom", "atom03": "arxiv-atom", "rss10": "arxiv-rdf", "rss090": "arxiv-rdf"}
_REPLACEMENTS = {"replace", "replace-cross"}
# "arXiv:2509.15234v1 Announce Type: new \nAbstract: ..."
_DESCRIPTION_PREFIX_RE = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?", re.IGNORECASE
)
# "Title. (arXiv:1805.06430v2 [nucl-th] UPDATED)"
_LEGACY_TITLE_RE = re.compile(
    r"^(?P<title>.*?)\.?\s*\(arXiv:(?P<id>\S+)\s+\[(?P<primary>[^\]]+)\](?:\s+(?P<flag>CROSS LISTED|UPDATED))?\)\s*$",
    re.DOTALL,
)
_LEGACY_FLAGS = {None: "new", "CROSS LISTED": "cross", "UPDATED": "replace"}
_SNIFF_MARKERS = (b"rss.arxiv.org", b"updates on arxiv.org", b"oai:arxiv.org:", b'rdf:about="http://arxiv.org/')
# Legacy feeds are stamped by their 20:30 evening build; from 20:00 ET on, the
# batch is the next day's listing.
_EVENING_HOUR = 20


def _eastern() -> tzinfo:
    try:
        return ZoneInfo("America/New_York")
    except ZoneInfoNotFoundError:  # no tz database: standard time is off by at most an hour
        return timezone(timedelta(hours=-5))


def sniff(raw: bytes) -> bool:
    """True for any of arXiv's announcement feeds (not the API's query results)."""
    head = bytes(raw[:4096]).lower()
    if not looks_like_feed(bytes(raw[:4096])) or b"opensearch" in head or b"arxiv.org/api" in head:
        return False
    return any(marker in head for marker in _SNIFF_MARKERS)


def parse(raw: bytes, *, direct: bool = True) -> Listing:
    """The listing of an announcement feed, read by lxml (`arxiv_feed_xml`), or by feedparser
    when `direct` is False or the document is not one lxml reads strictly (a cut-off response)."""
    loaded = (arxiv_feed_xml.load(raw) if direct else None) or load_feed(raw, "arXiv feed")
    if "opensearch_totalresults" in loaded.feed:
        raise ParseError("arXiv feed: this is an arXiv API result page, not an announcement feed")
    format_name = _FORMATS.get(loaded.version, "arxiv-rss")
    listing = Listing(kind="feed", format=format_name, notes=list(loaded.notes))
    listing.listing_date = _listing_date(loaded.feed, loaded.entries, format_name)
    to_record = _legacy_record if format_name == "arxiv-rdf" else _current_record
    # RSS items cut off before their own pubDate still have the channel's.
    channel_announced = utc_iso(written_datetime(loaded.feed.get("published")))
    skipped = 0
    for entry in loaded.entries:
        record = to_record(entry, listing, channel_announced)
        if record is None:
            skipped += 1
            continue
        record.listing_date = listing.listing_date
        listing.entries.append(record)
    if skipped and not listing.entries:
        raise ParseError(f"arXiv feed: none of {skipped} entries has an arXiv id: not an arXiv feed?")
    if skipped:
        listing.notes.append(f"skipped {skipped} entries without an arXiv id")
    if not loaded.entries:
        listing.notes.append("feed has no entries (arXiv announces nothing on weekends and holidays)")
    return listing


def _listing_date(feed: dict, entries: list[dict], format_name: str) -> str | None:
    try:
        return _announcement_day(feed, entries, format_name)
    except (OverflowError, ValueError):  # a year-9999 date pushed past the calendar
        return None


def _announcement_day(feed: dict, entries: list[dict], format_name: str) -> str | None:
    if format_name == "arxiv-rdf":
        stamp = written_datetime(dict.get(feed, "updated"))  # channel dc:date
        if stamp is None:
            return None
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(_eastern())
        day = stamp.date().isoformat()
        return next_day(day) if stamp.hour >= _EVENING_HOUR else day
    # RSS: channel pubDate; Atom: the entries' `published` (the channel only has
    # a build time in UTC, which is 04:00 or 05:00 on the same Eastern day).
    for candidate in [feed.get("published")] + [e.get("published") for e in entries[:1]]:
        stamp = written_datetime(candidate)
        if stamp is not None:
            return stamp.date().isoformat()
    built = written_datetime(dict.get(feed, "updated"))
    if built is not None and built.tzinfo is not None:
        return built.astimezone(_eastern()).date().isoformat()
    return None


def _canonical_links(record: PaperRecord) -> None:
    record.arxiv_url = f"https://arxiv.org/abs/{record.arxiv_id}"
    record.pdf_url = f"https://arxiv.org/pdf/{record.arxiv_id}"


def _set_dates(record: PaperRecord, announced: str | None) -> None:
    if record.announce_type in _REPLACEMENTS:
        record.updated_at = announced
    else:
        record.published_at = announced


def _current_record(entry: dict, listing: Listing, channel_announced: str | None) -> PaperRecord | None:
    description = entry.get("summary") if isinstance(entry.get("summary"), str) else ""
    prefix = _DESCRIPTION_PREFIX_RE.match(description)
    found = first_arxiv_id(entry.get("id"), prefix.group("id") if prefix else None, entry.get("link"))
    if not found:
        return None
    arxiv_id, version = found
    if version is None and prefix:
        version = (parse_arxiv_id(prefix.group("id")) or (None, None))[1]
    # The description is plain text with LaTeX (`$x<y$`), never HTML.
    abstract = clean_text(description[prefix.end():] if prefix else description)
    announce = entry.get("arxiv_announce_type")
    announce = clean_text(announce).lower() if isinstance(announce, str) and announce.strip() else None
    record = PaperRecord(
        title=clean_text(entry.get("title") if isinstance(entry.get("title"), str) else ""),
        arxiv_id=arxiv_id,
        arxiv_version=version,
        doi=normalize_doi(entry.get("arxiv_doi") if isinstance(entry.get("arxiv_doi"), str) else None),
        abstract=abstract or None,
        authors=split_arxiv_creators(_creator(entry)),
        categories=_categories(entry),
        announce_type=announce or (prefix.group("type").lower() if prefix else None),
        arxiv_comment=first_text(entry, "arxiv_comment", "arxiv_comments"),
        journal_ref=first_text(entry, "arxiv_journal_reference", "arxiv_journal_ref"),
    )
    _canonical_links(record)
    announced = utc_iso(written_datetime(entry.get("published"))) or channel_announced
    _set_dates(record, announced)
    return record


def _legacy_record(entry: dict, listing: Listing, _channel_announced: str | None) -> PaperRecord | None:
    raw_title = entry.get("title") if isinstance(entry.get("title"), str) else ""
    title_match = _LEGACY_TITLE_RE.match(clean_text(raw_title))
    found = first_arxiv_id(title_match.group("id") if title_match else None, entry.get("id"), entry.get("link"))
    if not found:
        return None
    authors, hidden = split_legacy_creators(_creator(entry))
    record = PaperRecord(
        title=title_match.group("title").strip() if title_match else clean_text(raw_title),
        arxiv_id=found[0],
        arxiv_version=found[1],
        abstract=html_to_text(entry.get("summary") if isinstance(entry.get("summary"), str) else "") or None,
        authors=authors,
        categories=(title_match.group("primary").strip(),) if title_match else (),
        announce_type=_LEGACY_FLAGS[title_match.group("flag")] if title_match else None,
    )
    if hidden:
        listing.notes.append(f"{record.arxiv_id}: author list cut by arXiv ({hidden} additional authors not shown)")
    _canonical_links(record)
    _set_dates(record, listing.listing_date)
    return record


def _creator(entry: dict) -> str:
    authors = entry.get("authors")
    if isinstance(authors, list):
        names = [a.get("name") for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)]
        if names:
            return ", ".join(names)
    author = entry.get("author")
    return author if isinstance(author, str) else ""


def _categories(entry: dict) -> tuple[str, ...]:
    terms: list[str] = []
    for tag in entry.get("tags") or []:
        term = tag.get("term") if isinstance(tag, dict) else None
        if isinstance(term, str) and term.strip() and term.strip() not in terms:
            terms.append(term.strip())
    return tuple(terms)
