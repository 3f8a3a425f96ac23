"""Crossref REST answers: a `work-list` page (`/journals/{issn}/works`) or one `work`.

Crossref speaks for the publisher, so the DOI is the journal's own; what
identity needs besides it is `relation`: `has-preprint` / `is-preprint-of`
name the other version of the same work (a bioRxiv or arXiv DOI), and the
store joins them into one paper. Kept per work: DOI, title, the JATS
abstract as plain text (section titles as labels), authors (a group name
too) with their ORCID iDs, container title, ISSNs, type, and the earliest
real date among `published-print`, `published-online`, `published`,
`issued` and (for preprints) `posted`, at the precision Crossref gives.

Errors arrive as `{"status": "failed", "message": [{"type", "message"}]}`,
often with HTTP 400/404: the ParseError carries Crossref's own message.
`listing_date` of a record is its `indexed` day; the `crossref` kind asks
for one index day and files the page under it.
"""

from __future__ import annotations

import json
import re

from pipeline.identity.ids import normalize_doi, parse_arxiv_id
from pipeline.model import Listing, PaperRecord, ParseError

from .dates import earliest, partial_iso
from .encoding import as_utf8
from .feedtext import clean_text, html_to_text

FORMAT = "crossref"
_SNIFF_RE = re.compile(rb'^\s*\{.*?"message-type"\s*:\s*"(?:work-list|work|validation-failure|resource-failure)"',
                       re.DOTALL)
_ORCID_RE = re.compile(r"([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X])", re.ASCII)
_ISSN_RE = re.compile(r"[0-9]{4}-[0-9]{3}[0-9X]", re.ASCII)
_JATS_TITLE_RE = re.compile(r"<(?:jats:)?title[^>]*>(.*?)</(?:jats:)?title\s*>", re.DOTALL | re.IGNORECASE)
_JATS_BLOCK_RE = re.compile(r"</?(?:jats:)?(?:p|sec|abstract|list|list-item)(?:\s[^<>]*)?/?>", re.IGNORECASE)
_DATE_FIELDS = ("published-print", "published-online", "published", "issued", "posted")
RELATIONS = ("has-preprint", "is-preprint-of")


def sniff(raw: bytes) -> bool:
    head = as_utf8(bytes(raw[:2048]))
    return bool(_SNIFF_RE.match(head))


def _load(raw: bytes) -> dict:
    if not isinstance(raw, (bytes, bytearray)) or not bytes(raw).strip():
        raise ParseError("Crossref: empty response body")
    try:
        payload = json.loads(bytes(raw))  # json reads UTF-8 with or without a BOM, and UTF-16
    except (ValueError, RecursionError) as error:
        raise ParseError(f"Crossref: not JSON ({clean_text(str(error))[:120]})") from None
    if not isinstance(payload, dict) or "message" not in payload:
        raise ParseError("Crossref: no 'message' object: not a Crossref REST answer")
    if payload.get("status") != "ok":
        problems = payload["message"] if isinstance(payload["message"], list) else [payload["message"]]
        said = "; ".join(
            clean_text(str(p.get("message") or p.get("type") or p)) if isinstance(p, dict) else clean_text(str(p))
            for p in problems
        )
        raise ParseError(f"Crossref error ({payload.get('message-type', 'failed')}): {said or 'no message'}")
    return payload


def next_cursor(raw: bytes) -> tuple[str | None, int]:
    """(the cursor of the next page, total results): None once a page comes back empty."""
    message = _load(raw)["message"]
    items = message.get("items") if isinstance(message, dict) else None
    total = message.get("total-results") if isinstance(message, dict) else None
    cursor = message.get("next-cursor") if isinstance(message, dict) else None
    total = total if isinstance(total, int) and not isinstance(total, bool) else 0
    return (cursor if items and isinstance(cursor, str) and cursor else None), total


def parse(raw: bytes) -> Listing:
    payload = _load(raw)
    message = payload["message"]
    if payload.get("message-type") == "work":
        items = [message]
    else:
        items = message.get("items") if isinstance(message, dict) else None
        if not isinstance(items, list):
            raise ParseError("Crossref: a work-list without 'items'")
    listing = Listing(kind="journal", format=FORMAT, confirmed_empty=not items)
    skipped = 0
    for item in items:
        record = _record(item, listing.notes) if isinstance(item, dict) else None
        if record is None:
            skipped += 1
        else:
            listing.entries.append(record)
    if skipped:
        listing.notes.append(f"skipped {skipped} works without a DOI or title")
    if skipped and not listing.entries:
        raise ParseError(f"Crossref: none of {skipped} works has a DOI and a title")
    return listing


def _first(value) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return clean_text(value) if isinstance(value, str) else ""


def jats_to_text(text: str | None) -> str:
    """A JATS abstract as text: section titles become labels, a bare "Abstract" heading goes."""
    if not text:
        return ""

    def label(match: re.Match) -> str:
        title = html_to_text(match.group(1)).rstrip(":")
        return "" if title.lower() in ("abstract", "summary", "") else f" {title}: "

    text = _JATS_TITLE_RE.sub(label, text)
    return html_to_text(_JATS_BLOCK_RE.sub(" ", text))


def _date(value) -> str | None:
    parts = value.get("date-parts") if isinstance(value, dict) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    numbers = [p if isinstance(p, int) and not isinstance(p, bool) else None for p in first[:3]]
    if not numbers or None in numbers:
        return None
    return partial_iso(*numbers)


def _authors(item: dict) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    names, orcids = [], []
    for author in item.get("author") or []:
        if not isinstance(author, dict):
            continue
        name = clean_text(" ".join(
            part for part in (author.get("given"), author.get("family"), author.get("suffix"))
            if isinstance(part, str)
        )) or clean_text(author.get("name") if isinstance(author.get("name"), str) else "")
        if not name:
            continue
        names.append(name)
        orcid = _ORCID_RE.search(author.get("ORCID") or "") if isinstance(author.get("ORCID"), str) else None
        if orcid:
            orcids.append((name, orcid.group(1)))
    return tuple(names), tuple(orcids)


def _relations(item: dict) -> tuple[tuple[str, str, str], ...]:
    found = []
    relation = item.get("relation") if isinstance(item.get("relation"), dict) else {}
    for name in RELATIONS:
        for target in relation.get(name) or []:
            if not isinstance(target, dict) or not isinstance(target.get("id"), str):
                continue
            kind = str(target.get("id-type", "")).lower()
            if kind == "doi" and normalize_doi(target["id"]):
                found.append((name, "doi", normalize_doi(target["id"])))
            elif kind == "arxiv" and parse_arxiv_id(target["id"]):
                found.append((name, "arxiv", parse_arxiv_id(target["id"])[0]))
    return tuple(dict.fromkeys(found))


def _record(item: dict, notes: list[str]) -> PaperRecord | None:
    doi = normalize_doi(item.get("DOI") if isinstance(item.get("DOI"), str) else None)
    title = html_to_text(_first(item.get("title")))
    if not doi or not title:
        return None
    subtitle = html_to_text(_first(item.get("subtitle")))
    dates = []
    for name in _DATE_FIELDS:
        if name in item:
            value = _date(item[name])
            if value is None:
                notes.append(f"{doi}: impossible {name} date {json.dumps(item[name].get('date-parts') if isinstance(item[name], dict) else item[name])[:40]} ignored")
            dates.append(value)
    authors, orcids = _authors(item)
    indexed = item.get("indexed") if isinstance(item.get("indexed"), dict) else {}
    indexed_day = _date(indexed)
    issns = [i for i in item.get("ISSN") or [] if isinstance(i, str) and _ISSN_RE.fullmatch(i.upper())]
    relations = _relations(item)
    work_type = clean_text(item.get("type")) if isinstance(item.get("type"), str) else None
    return PaperRecord(
        title=f"{title}: {subtitle}" if subtitle and subtitle.lower() not in title.lower() else title,
        doi=doi,
        abstract=jats_to_text(item.get("abstract") if isinstance(item.get("abstract"), str) else None) or None,
        authors=authors,
        orcids=orcids,
        published_at=earliest([d for d in dates if d]),
        listing_date=indexed_day if indexed_day and len(indexed_day) == 10 else None,
        journal=_first(item.get("container-title")) or None,
        journal_abbrev=_first(item.get("short-container-title")) or None,
        issns=tuple(dict.fromkeys(i.upper() for i in issns)),
        work_type=work_type or None,
        categories=tuple(dict.fromkeys(_first([s]) for s in item.get("subject") or [] if isinstance(s, str) and s.strip())),
        relations=relations,
        # A preprint's record names its journal version: the same link bioRxiv's `published` gives.
        published_doi=next((value for name, scheme, value in relations if name == "is-preprint-of" and scheme == "doi"), None),
        url=item.get("URL") if isinstance(item.get("URL"), str) else f"https://doi.org/{doi}",
    )
