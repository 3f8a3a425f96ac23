"""Result pages of the arXiv API (export.arxiv.org/api/query), used for backfill.

The API answers HTTP 200 even for a bad query: the error is an Atom feed with
one entry titled "Error" whose id points into `/api/errors`. That must become a
failed run carrying arXiv's own message, never an empty page.

Unlike the daily feeds, each entry has real timestamps: `published` is when
version 1 was submitted, `updated` when this version was, so both go to the
record as they are. An API page is not a day's listing: `listing_date` is None
and the caller that asked for a date range knows which day it was after.

Paging: `page_info(raw)` reads the OpenSearch totals (`totalResults`,
`startIndex`, `itemsPerPage`) without parsing the entries, so a backfill can
decide what to fetch next. A page that is empty although `totalResults` says
there is more is noted in `Listing.notes`; arXiv sometimes serves those and the
right answer is to retry, not to stop.
"""

from __future__ import annotations

import re

from pipeline.identity.ids import first_arxiv_id, normalize_doi, parse_arxiv_id
from pipeline.model import Listing, PaperRecord, ParseError

from .feedload import load_feed, looks_like_feed
from .feedtext import clean_text, feed_date_iso, first_text
from .paging import PageInfo

_OPENSEARCH_RE = {
    name: re.compile(rb"<(?:[\w-]+:)?" + name.encode() + rb"\b[^>]*>\s*(\d+)\s*<", re.IGNORECASE)
    for name in ("totalResults", "startIndex", "itemsPerPage")
}
_HEAD = 16384


def sniff(raw: bytes) -> bool:
    """True for an Atom page of API results: OpenSearch totals plus arXiv."""
    head = bytes(raw[:4096])
    lowered = head.lower()
    return (
        looks_like_feed(head)
        and b"<feed" in lowered
        and b"opensearch" in lowered
        and (b"arxiv.org/api" in lowered or b"arxiv query" in lowered)
    )


def page_info(raw: bytes) -> PageInfo:
    """The OpenSearch totals of an API page; ParseError if they are missing."""
    head = bytes(raw[:_HEAD])
    values = {}
    for name, pattern in _OPENSEARCH_RE.items():
        match = pattern.search(head)
        if not match:
            raise ParseError(f"arXiv API: no opensearch:{name} in the page: not an API result page?")
        values[name] = int(match.group(1))
    return PageInfo(values["totalResults"], values["startIndex"], values["itemsPerPage"])


def _raise_if_error_feed(entries: list[dict]) -> None:
    for entry in entries:
        entry_id = entry.get("id") if isinstance(entry.get("id"), str) else ""
        title = entry.get("title") if isinstance(entry.get("title"), str) else ""
        if "/api/errors" in entry_id or (title.strip() == "Error" and not parse_arxiv_id(entry_id)):
            message = clean_text(entry.get("summary") if isinstance(entry.get("summary"), str) else "")
            raise ParseError(f"arXiv API error: {message or entry_id or 'no message'}")


def parse(raw: bytes) -> Listing:
    loaded = load_feed(raw, "arXiv API")
    _raise_if_error_feed(loaded.entries)
    listing = Listing(kind="api", format="arxiv-api", notes=list(loaded.notes))
    page = page_info(raw)  # an announcement feed or other Atom has none: refuse it
    skipped = 0
    for entry in loaded.entries:
        record = _record(entry)
        if record is None:
            skipped += 1
        else:
            listing.entries.append(record)
    if skipped and not listing.entries:
        raise ParseError(f"arXiv API: none of {skipped} entries has an arXiv id")
    if skipped:
        listing.notes.append(f"skipped {skipped} entries without an arXiv id")
    listing.confirmed_empty = not loaded.entries and page.total == 0
    if not loaded.entries and page.start < page.total:
        listing.notes.append(
            f"empty page although totalResults={page.total} > startIndex={page.start}: retry before believing it"
        )
    return listing


def _record(entry: dict) -> PaperRecord | None:
    found = first_arxiv_id(entry.get("id"), entry.get("link"))
    if not found:
        return None
    arxiv_id, version = found
    if version is None:  # the 2007-era id is unversioned; its alternate link is not
        hrefs = [link.get("href") for link in entry.get("links") or [] if isinstance(link, dict)]
        for href in hrefs:
            in_link = parse_arxiv_id(href) if isinstance(href, str) else None
            if in_link and in_link[0] == arxiv_id and in_link[1] is not None:
                version = in_link[1]
                break
    authors = tuple(
        clean_text(a.get("name"))
        for a in entry.get("authors") or []
        if isinstance(a, dict) and isinstance(a.get("name"), str) and a.get("name").strip()
    )
    doi = entry.get("arxiv_doi")
    return PaperRecord(
        title=clean_text(entry.get("title") if isinstance(entry.get("title"), str) else ""),
        arxiv_id=arxiv_id,
        arxiv_version=version,
        doi=normalize_doi(doi if isinstance(doi, str) else None),
        abstract=clean_text(entry.get("summary") if isinstance(entry.get("summary"), str) else "") or None,
        authors=authors,
        published_at=feed_date_iso(entry, "published"),
        updated_at=feed_date_iso(entry, "updated"),
        arxiv_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
        categories=_categories(entry),
        arxiv_comment=first_text(entry, "arxiv_comment"),
        journal_ref=first_text(entry, "arxiv_journal_ref", "arxiv_journal_reference"),
    )


def _categories(entry: dict) -> tuple[str, ...]:
    """Primary category first (the API marks it), then the others in order."""
    terms: list[str] = []
    primary = entry.get("arxiv_primary_category")
    tags = entry.get("tags") or []
    for item in ([primary] if isinstance(primary, dict) else []) + list(tags):
        term = item.get("term") if isinstance(item, dict) else None
        if isinstance(term, str) and term.strip() and term.strip() not in terms:
            terms.append(term.strip())
    return tuple(terms)
