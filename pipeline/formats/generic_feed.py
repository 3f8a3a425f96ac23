"""Any RSS or Atom feed: journal tables of contents, PubMed search feeds, blogs.

Nothing about the layout is known in advance, so identity is found where
publishers usually put it: identifier elements (`prism:doi`, `dc:identifier`),
the entry id, the links. Only when none of those has one is the prose
searched, and then only a single unambiguous match is trusted: an abstract
that cites another paper's DOI must not become that paper.

Feeds are read as they really are (see `feedraw`): every identifier element
of an item counts, not only the last of a repeated one, and every DOI among
them is kept (the first as `doi`, the others as identical-work links); a
clean `dc:title` wins over a `<title>` that only prefixes it with a citation.
A description that is a citation line ("Journal, Volume 105, Issue 3,
Page 12") is not an abstract and is not stored as one: it would be searched
and tagged as if the paper had said it. An impossible date is None, noted.

A feed is a rolling window, not a day's listing: `Listing.listing_date` is None
and each record's `listing_date` is the day of its own date, if it has one.
"""

from __future__ import annotations

import re

from pipeline.identity.ids import FoundIdentifiers, find_identifiers, parse_arxiv_id, split_doi_version
from pipeline.model import Listing, PaperRecord, ParseError

from . import arxiv_api, arxiv_feed, biorxiv_rss
from .authors import split_author_string
from .feedload import load_feed, looks_like_feed
from .feedraw import RawItem, raw_items
from .feedtext import detail_text, feed_date_iso, written_day

_SPECIFIC_SNIFFERS = (arxiv_feed.sniff, arxiv_api.sniff, biorxiv_rss.sniff)
# Parts of a citation line: "Volume 105", "Vol. 9", "Issue 3", "No. 2", "Pages 120-131", "pp. 12", "Published online: ...".
_CITATION_PARTS = [re.compile(p, re.IGNORECASE) for p in (
    r"\bvol(?:ume)?\.?\s*[0-9]+", r"\b(?:issue|no\.)\s*[0-9]+", r"\b(?:pages?|pp?\.)\s*[0-9A-Za-z]*[0-9]",
    r"\bpublished online\s*:", r"\b(?:doi\s*:|https?://doi\.org/)\s*10\.", r"\barticle\s*(?:number|no\.?)?\s*[0-9]+",
)]
_CITATION_MAX = 300  # a citation line is short; an abstract that mentions a volume is not
_SENTENCE_BREAK_RE = re.compile(r"[.!?]\s+[A-Z]")
_ASCII_DIGITS = tuple("0123456789")  # str.isdigit() also accepts ２ and ٢
_ID_FIELDS = ("prism_doi", "dc_identifier", "id", "guid", "link")


def sniff(raw: bytes) -> bool:
    """True for a feed that no more specific parser claims, so exactly one
    sniffer answers for any feed."""
    return looks_like_feed(bytes(raw[:4096])) and not any(s(raw) for s in _SPECIFIC_SNIFFERS)


def parse(raw: bytes) -> Listing:
    loaded = load_feed(raw, "feed")
    listing = Listing(kind="feed", format="feed", notes=list(loaded.notes))
    scanned = raw_items(raw)
    # Raw items line up with feedparser's entries only when both saw the same items.
    if len(scanned) < len(loaded.entries):
        scanned = []
    untitled = 0
    counts = {"citation": 0, "date": 0}
    for index, entry in enumerate(loaded.entries):
        record = _record(entry, listing, scanned[index] if scanned else RawItem(), counts)
        if record is None:
            untitled += 1
        else:
            listing.entries.append(record)
    if counts["citation"]:
        listing.notes.append(f"{counts['citation']} descriptions were citation lines, not abstracts: no abstract stored")
    if counts["date"]:
        listing.notes.append(f"{counts['date']} items with an impossible date: stored without one")
    if untitled and not listing.entries:
        raise ParseError(f"feed: none of {untitled} entries has a title")
    if untitled:
        listing.notes.append(f"skipped {untitled} entries without a title")
    return listing


def _strings(entry: dict, key: str) -> list[str]:
    value = entry.get(key)
    return [value] if isinstance(value, str) and value.strip() else []


def _structured_texts(entry: dict, scanned: RawItem) -> list[str]:
    texts = list(scanned.identifiers) + [text for key in _ID_FIELDS for text in _strings(entry, key)]
    for link in entry.get("links") or []:
        href = link.get("href") if isinstance(link, dict) else None
        if isinstance(href, str):
            texts.append(href)
    return texts


def _identity(entry: dict, scanned: RawItem, title: str, abstract: str, listing: Listing):
    """(arXiv id and version, DOI and preprint version, every DOI) from fields, then prose."""
    structured = _structured_texts(entry, scanned)
    # `/abs/` and `/pdf/` paths exist on journal sites too: a link must name arXiv.
    arxiv_fields = [t for t in structured if "arxiv" in t.lower() or t.strip()[:1] in _ASCII_DIGITS]
    arxiv = next((found for found in map(parse_arxiv_id, arxiv_fields) if found), None)
    found = find_identifiers(*structured)
    doi, doi_version = split_doi_version(found.dois[0]) if found.dois else (None, None)
    if arxiv is None or doi is None:
        in_prose = find_identifiers(title, abstract)
        arxiv = arxiv or _only(in_prose, "arxiv", title, listing)
        if doi is None:
            doi = _only(in_prose, "dois", title, listing)
    return arxiv, (doi, doi_version), found.dois


def _only(found: FoundIdentifiers, kind: str, title: str, listing: Listing):
    candidates = getattr(found, kind)
    if len(candidates) > 1:
        label = "arXiv ids" if kind == "arxiv" else "DOIs"
        listing.notes.append(f"{title[:60]!r}: {len(candidates)} {label} in the text, none taken")
        return None
    return candidates[0] if candidates else None


def _authors(entry: dict) -> tuple[str, ...]:
    names = [
        a.get("name") for a in entry.get("authors") or []
        if isinstance(a, dict) and isinstance(a.get("name"), str) and a.get("name").strip()
    ]
    if len(names) == 1:
        return split_author_string(names[0])
    if not names and isinstance(entry.get("author"), str):
        return split_author_string(entry["author"])
    return tuple(author for name in names for author in split_author_string(name))


def _abstract(entry: dict) -> str:
    # For Atom <content> feedparser copies the value to `summary` but not its
    # type, which stays on the content item.
    content = entry.get("content")
    first = content[0] if isinstance(content, list) and content and isinstance(content[0], dict) else None
    if entry.get("summary_detail") or first is None:
        return detail_text(entry, "summary")
    return detail_text(first, "value")


def is_citation_line(text: str) -> bool:
    """A description that only cites the item ("Radiology, Volume 310, Issue 2, February 2024.")."""
    if not text or len(text) > _CITATION_MAX or _SENTENCE_BREAK_RE.search(text):
        return False  # prose, even if it mentions a volume or an issue
    return sum(1 for part in _CITATION_PARTS if part.search(text)) >= 2


def _title(entry: dict, scanned: RawItem) -> str:
    """`<title>`, or the clean `dc:title` when `<title>` is that title with a prefix."""
    title = detail_text(entry, "title")
    clean = scanned.dc_title
    if clean and title and title != clean and title.endswith(clean) and len(clean) >= 8:
        return clean
    return title or (clean or "")


def _record(entry: dict, listing: Listing, scanned: RawItem, counts: dict[str, int]) -> PaperRecord | None:
    title = _title(entry, scanned)
    if not title:
        return None
    abstract = _abstract(entry)
    if is_citation_line(abstract):
        counts["citation"] += 1
        abstract = ""
    arxiv, (doi, doi_version), dois = _identity(entry, scanned, title, abstract, listing)
    published = feed_date_iso(entry, "published") or feed_date_iso(entry, "updated")
    raw_date = dict.get(entry, "published") or dict.get(entry, "updated")
    if isinstance(raw_date, str) and raw_date.strip() and published is None:
        counts["date"] += 1
    link = entry.get("link") if isinstance(entry.get("link"), str) else None
    record = PaperRecord(
        title=title,
        doi=doi,
        preprint_version=doi_version,
        abstract=abstract or None,
        authors=_authors(entry),
        published_at=published,
        listing_date=written_day(raw_date) if isinstance(raw_date, str) else None,
        categories=tuple(
            dict.fromkeys(
                t["term"].strip() for t in entry.get("tags") or []
                if isinstance(t, dict) and isinstance(t.get("term"), str) and t["term"].strip()
            )
        ),
        url=link.strip() if link else None,
        # Every further DOI the item gives names the same work: each is an identifier of this paper.
        relations=tuple(("is-identical-to", "doi", d) for d in dois if d != doi),
    )
    if record.listing_date is None and published:
        record.listing_date = published[:10]
    if arxiv:
        record.arxiv_id, record.arxiv_version = arxiv
        record.arxiv_url = f"https://arxiv.org/abs/{record.arxiv_id}"
        record.pdf_url = f"https://arxiv.org/pdf/{record.arxiv_id}"
    return record
