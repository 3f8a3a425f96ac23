"""arXiv's OAI-PMH `ListRecords` answers, in the `arXiv`, `arXivRaw` or `oai_dc` metadata formats.

OAI-PMH is the bulk path: one request lists up to 1000 records of a set,
and a `resumptionToken` says where the next page starts (an empty or absent
token ends the list). A record's `datestamp` is when arXiv last changed its
metadata, not when the paper appeared: a record is filed (`listing_date`)
under its datestamp, the day the harvest asked for, while `published_at`
comes from the record itself: `created` (arXiv format), the v1 date
(arXivRaw) or the first `dc:date` (oai_dc); `updated_at` from the latest
version.

OAI errors come inside HTTP 200 as `<error code="...">`. `noRecordsMatch` is
the protocol's way to say a window is empty: an empty listing with a note.
Every other code (`badArgument`, `badResumptionToken`, `cannotDisseminateFormat`,
..., and `noRecordsMatch` for a set that does not exist) is a ParseError carrying the code and arXiv's message. Deleted records
(`<header status="deleted">`) carry no metadata and are counted in a note.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from typing import NamedTuple

from pipeline.identity.ids import find_identifiers, normalize_doi, parse_arxiv_id
from pipeline.model import Listing, PaperRecord, ParseError

from .authors import split_arxiv_creators
from .dates import plausible_iso
from .feedtext import utc_iso
from .xmltree import child, child_text, children, local, parse_xml, text_of

FORMAT = "arxiv-oai"
PREFIXES = ("arXiv", "arXivRaw", "oai_dc")


class ResumptionToken(NamedTuple):
    """Where the next page starts (None: this was the last page), and the list's size."""

    token: str | None
    cursor: int | None
    complete_size: int | None


def sniff(raw: bytes) -> bool:
    head = bytes(raw[:4096])
    return b"<OAI-PMH" in head and b"arxiv" in head.lower()


def _root(raw: bytes):
    root = parse_xml(raw, "arXiv OAI-PMH")
    if local(root.tag) != "OAI-PMH":
        raise ParseError(f"arXiv OAI-PMH: root element <{local(root.tag)}>, not OAI-PMH")
    return root


def _errors(root) -> list[tuple[str, str]]:
    return [(e.get("code") or "error", text_of(e)) for e in children(root, "error")]


def resumption(raw: bytes) -> ResumptionToken:
    root = _root(raw)
    token = child(child(root, "ListRecords"), "resumptionToken")
    if token is None:
        return ResumptionToken(None, None, None)

    def number(name: str) -> int | None:
        value = token.get(name) or ""
        return int(value) if re.fullmatch(r"[0-9]+", value, re.ASCII) else None

    return ResumptionToken(text_of(token) or None, number("cursor"), number("completeListSize"))


def parse(raw: bytes) -> Listing:
    root = _root(raw)
    listing = Listing(kind="oai", format=FORMAT)
    errors = _errors(root)
    if errors:
        # arXiv answers an unknown set with noRecordsMatch too: that is a mistake, not a quiet day.
        if all(code == "noRecordsMatch" and "match any sets" not in message for code, message in errors):
            listing.notes.append(f"arXiv OAI-PMH noRecordsMatch: {errors[0][1]}")
            listing.confirmed_empty = True
            return listing
        raise ParseError("arXiv OAI-PMH error " + "; ".join(f"{code}: {message}" for code, message in errors))
    records = child(root, "ListRecords")
    if records is None:
        raise ParseError("arXiv OAI-PMH: neither ListRecords nor an error: not a ListRecords answer")
    deleted = unreadable = 0
    for record in children(records, "record"):
        header = child(record, "header")
        if header is not None and header.get("status") == "deleted":
            deleted += 1
            continue
        parsed = _record(header, child(record, "metadata"))
        if parsed is None:
            unreadable += 1
        else:
            listing.entries.append(parsed)
    if deleted:
        listing.notes.append(f"{deleted} deleted records (no metadata) skipped")
    if unreadable:
        listing.notes.append(f"skipped {unreadable} records without an arXiv id or title")
    if unreadable and not listing.entries:
        raise ParseError(f"arXiv OAI-PMH: none of {unreadable} records has an arXiv id and a title")
    return listing


def _record(header, metadata) -> PaperRecord | None:
    body = children(metadata)[0] if children(metadata) else None
    kind = local(body.tag) if body is not None else ""
    datestamp = plausible_iso(child_text(header, "datestamp"))
    if kind == "arXiv":
        record = _arxiv(body)
    elif kind == "arXivRaw":
        record = _arxiv_raw(body)
    elif kind == "dc":
        record = _dublin_core(body, child_text(header, "identifier"))
    else:
        return None
    if record is None:
        return None
    record.listing_date = datestamp[:10] if datestamp and len(datestamp) >= 10 else None
    return record


def _identified(arxiv_text: str, title: str) -> tuple[str, int | None] | None:
    return parse_arxiv_id(arxiv_text) if title else None


def _base(found: tuple[str, int | None], title: str, body) -> PaperRecord:
    arxiv_id = found[0]
    dois = [normalize_doi(d) for d in child_text(body, "doi").split()]
    dois = [d for d in dict.fromkeys(dois) if d]
    return PaperRecord(
        title=title,
        arxiv_id=arxiv_id,
        abstract=child_text(body, "abstract") or None,
        categories=tuple(dict.fromkeys(child_text(body, "categories").split())),
        doi=dois[0] if dois else None,
        # arXiv's DOI field names the journal version (and its errata): all of them are this paper's.
        relations=tuple(("is-preprint-of", "doi", d) for d in dois),
        arxiv_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
        arxiv_comment=child_text(body, "comments") or None,
        journal_ref=child_text(body, "journal-ref") or None,
    )


def _arxiv(body) -> PaperRecord | None:
    title = child_text(body, "title")
    found = _identified(child_text(body, "id"), title)
    if found is None:
        return None
    record = _base(found, title, body)
    authors = []
    for author in children(child(body, "authors"), "author"):
        name = " ".join(p for p in (child_text(author, "forenames"), child_text(author, "keyname"),
                                    child_text(author, "suffix")) if p)
        if name:
            authors.append(name)
    record.authors = tuple(authors)
    record.published_at = plausible_iso(child_text(body, "created"))
    record.updated_at = plausible_iso(child_text(body, "updated"))
    return record


def _rfc822(text: str) -> str | None:
    try:
        return utc_iso(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _arxiv_raw(body) -> PaperRecord | None:
    title = child_text(body, "title")
    found = _identified(child_text(body, "id"), title)
    if found is None:
        return None
    record = _base(found, title, body)
    versions = []
    for version in children(body, "version"):
        label = version.get("version") or ""
        if re.fullmatch(r"v[0-9]+", label, re.ASCII):
            versions.append((int(label[1:]), _rfc822(child_text(version, "date"))))
    versions.sort()
    if versions:
        record.arxiv_version = versions[-1][0]
        record.published_at = versions[0][1] if versions[0][0] == 1 else None
        record.updated_at = versions[-1][1]
    record.authors = split_arxiv_creators(child_text(body, "authors"))
    record.submitter = child_text(body, "submitter") or None
    return record


def _dublin_core(body, oai_identifier: str) -> PaperRecord | None:
    title = child_text(body, "title")
    identifiers = [text_of(i) for i in children(body, "identifier")]
    found = _identified(oai_identifier, title) or next(
        (parse_arxiv_id(i) for i in identifiers if parse_arxiv_id(i)), None) if title else None
    if found is None:
        return None
    dois = find_identifiers(*identifiers).dois
    dates = sorted(d for d in (plausible_iso(text_of(e)) for e in children(body, "date")) if d)
    # One dc:creator per author, written "Surname, Forenames".
    authors = [text_of(c) for c in children(body, "creator") if text_of(c)]
    # arXiv writes the author's comment as a further dc:description starting "Comment: ".
    comments = [text_of(d)[len("Comment:"):].strip() for d in children(body, "description")
                if text_of(d).startswith("Comment:")]
    return PaperRecord(
        title=title,
        arxiv_id=found[0],
        abstract=child_text(body, "description") or None,
        arxiv_comment=comments[0] if comments else None,
        authors=tuple(authors),
        published_at=dates[0] if dates else None,
        updated_at=dates[-1] if len(dates) > 1 else None,
        doi=dois[0] if dois else None,
        categories=tuple(dict.fromkeys(text_of(s) for s in children(body, "subject") if text_of(s))),
        arxiv_url=f"https://arxiv.org/abs/{found[0]}",
        pdf_url=f"https://arxiv.org/pdf/{found[0]}",
    )
