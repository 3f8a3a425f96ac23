"""bioRxiv and medRxiv subject feeds (connect.biorxiv.org/biorxiv_xml.php?subject=…).

RSS 1.0 with CDATA padded by tabs and newlines. The DOI is the identity: it
comes from `dc:identifier` (`doi:10.1101/857789`) or, failing that, from the
item link, which also carries the version (`…/857789v1?rss=1`,
`…/content/10.64898/2026.05.19.726321v1?rss=1`). The version goes to
`preprint_version`; version 1 is announced as "new", later ones as "replace",
matching how arXiv replacements are recorded (the posting day is `updated_at`,
and `published_at` only for version 1).

The feed is a rolling window of recent posts, not a day's listing, so
`Listing.listing_date` is None and each record's `listing_date` is the day
the item was posted (`dc:date`).
"""

from __future__ import annotations

import re

from pipeline.identity.ids import normalize_doi, preprint_doi_from_link, preprint_version_from_link
from pipeline.model import Listing, PaperRecord, ParseError

from .authors import split_surname_initials
from .feedload import load_feed, looks_like_feed
from .feedtext import clean_text, feed_date_iso, html_to_text

_SNIFF_RE = re.compile(rb"(?:bio|med)rxiv\.org", re.IGNORECASE)
_SUBJECT_RE = re.compile(r"Subject Collection:\s*(?P<subject>.+)$", re.IGNORECASE)


def sniff(raw: bytes) -> bool:
    head = bytes(raw[:4096])
    return looks_like_feed(head) and bool(_SNIFF_RE.search(head)) and b"arxiv.org/abs" not in head


def parse(raw: bytes) -> Listing:
    loaded = load_feed(raw, "bioRxiv feed")
    listing = Listing(kind="feed", format="biorxiv-rss", notes=list(loaded.notes))
    title = loaded.feed.get("title")
    subject = _SUBJECT_RE.search(clean_text(title)) if isinstance(title, str) else None
    category = subject.group("subject").strip().lower() if subject else None
    server = "medrxiv" if isinstance(title, str) and "medrxiv" in title.lower() else "biorxiv"
    skipped = 0
    for entry in loaded.entries:
        record = _record(entry, category, server)
        if record is None:
            skipped += 1
        else:
            listing.entries.append(record)
    if skipped and not listing.entries:
        raise ParseError(f"bioRxiv feed: none of {skipped} entries has a DOI: not a bioRxiv/medRxiv feed?")
    if skipped:
        listing.notes.append(f"skipped {skipped} entries without a DOI")
    if not loaded.entries:
        listing.notes.append("feed has no entries")
    return listing


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    return value if isinstance(value, str) else ""


def _record(entry: dict, category: str | None, server: str) -> PaperRecord | None:
    link = clean_text(_text(entry, "link")) or clean_text(_text(entry, "id"))
    doi = normalize_doi(_text(entry, "dc_identifier")) or preprint_doi_from_link(link)
    if not doi:
        return None
    version = preprint_version_from_link(link)
    section = clean_text(_text(entry, "prism_section")).lower()
    posted = feed_date_iso(entry, "updated") or feed_date_iso(entry, "prism_publicationdate")
    authors = entry.get("authors")
    creator = authors[0].get("name") if isinstance(authors, list) and authors and isinstance(authors[0], dict) else None
    return PaperRecord(
        # Titles may carry inline HTML (<i>in vivo</i>) as well as a bare "<".
        title=html_to_text(_text(entry, "title")) or html_to_text(_text(entry, "dc_title")),
        doi=doi,
        preprint_version=version,
        # CDATA abstracts may hold inline HTML (<i>, <sub>) but also "p < 0.05".
        abstract=html_to_text(_text(entry, "summary")) or None,
        authors=split_surname_initials(creator if isinstance(creator, str) else _text(entry, "author")),
        published_at=posted if version in (None, 1) else None,
        updated_at=posted,
        listing_date=posted[:10] if posted else None,
        categories=tuple(c for c in (section or category,) if c),
        announce_type=None if version is None else ("new" if version == 1 else "replace"),
        url=_landing_page(link, doi, version, server),
    )


def _landing_page(link: str, doi: str, version: int | None, server: str) -> str:
    """The item link without its `?rss=1` tracking; a stable URL built from the
    DOI when the feed gave none."""
    if link:
        return re.sub(r"\?rss=1$", "", link)
    return f"https://www.{server}.org/content/{doi}" + (f"v{version}" if version else "")
