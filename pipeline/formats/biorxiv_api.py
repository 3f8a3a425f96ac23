"""Pages of the bioRxiv/medRxiv details API (api.biorxiv.org/details/{server}/{from}/{to}/{cursor}/json).

The API reports trouble inside HTTP 200: `messages[0].status` other than "ok",
or (seen in 2026) an empty body. "no posts found" is the honest answer for a
quiet interval and gives an empty listing; anything else is a ParseError.
Numbers arrive as strings or ints, so every one is read leniently.

Each record is one version of one preprint: DOI lower-cased without version,
the version in `preprint_version` ("new" for 1, "replace" after), the posting
day as `updated_at` and `listing_date`, and as `published_at` only for version
1 (as with arXiv replacements, a later version does not date the paper). Paging follows the `cursor`: see
`page_info`. `Listing.listing_date` is set only when the interval is one day.
"""

from __future__ import annotations

import json
import re

from pipeline.identity.ids import normalize_doi
from pipeline.model import Listing, PaperRecord, ParseError

from .authors import split_semicolons
from .dates import plausible_iso
from .feedtext import clean_text, html_to_text
from .paging import PageInfo

_SNIFF_RE = re.compile(rb'^\s*\{\s*"messages"\s*:', re.DOTALL)
_DAY_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def sniff(raw: bytes) -> bool:
    return bool(_SNIFF_RE.match(bytes(raw[:4096])))


def _load(raw: bytes) -> tuple[dict, list]:
    """The first message and the collection, or ParseError."""
    if not isinstance(raw, (bytes, bytearray)) or not bytes(raw).strip():
        raise ParseError("bioRxiv API: empty response body")
    try:
        payload = json.loads(bytes(raw))
    except (ValueError, RecursionError) as error:
        raise ParseError(f"bioRxiv API: not JSON ({clean_text(str(error))[:120]})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("messages"), list):
        raise ParseError("bioRxiv API: no 'messages' object: not a details response")
    messages = payload["messages"]
    message = messages[0] if messages and isinstance(messages[0], dict) else {}
    collection = payload.get("collection")
    return message, collection if isinstance(collection, list) else []


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip(), re.ASCII):
        return int(value.strip())
    return None


def page_info(raw: bytes) -> PageInfo:
    """Totals of a details page: next cursor is `start + per_page` (30 a page)."""
    message, collection = _load(raw)
    total, start, count = _int(message.get("total")), _int(message.get("cursor")), _int(message.get("count"))
    if total is None or start is None:
        raise ParseError("bioRxiv API: no total/cursor in messages")
    return PageInfo(total, start, count if count is not None else len(collection))


def parse(raw: bytes) -> Listing:
    message, collection = _load(raw)
    status = clean_text(str(message.get("status", "")))
    listing = Listing(kind="api", format="biorxiv-api")
    if status.lower() != "ok":
        if "no posts found" in status.lower():
            listing.notes.append(f"bioRxiv API: {status}")
            listing.confirmed_empty = True
            return listing
        raise ParseError(f"bioRxiv API error: {status or 'no status message'}")
    interval = str(message.get("interval", ""))
    start, _, end = interval.partition(":")
    if _DAY_RE.match(start) and start == end:
        listing.listing_date = start
    skipped = 0
    for item in collection:
        record = _record(item) if isinstance(item, dict) else None
        if record is None:
            skipped += 1
        else:
            listing.entries.append(record)
    if skipped:
        listing.notes.append(f"skipped {skipped} records without a DOI or title")
    undated = sum(1 for item in collection if isinstance(item, dict) and _str(item, "date").strip()
                  and not plausible_iso(_str(item, "date").strip()))
    if undated:
        listing.notes.append(f"{undated} records with an impossible date: stored without one")
    if not listing.entries and collection:
        raise ParseError(f"bioRxiv API: none of {len(collection)} records has a DOI and a title")
    return listing


def _str(item: dict, key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _record(item: dict) -> PaperRecord | None:
    doi = normalize_doi(_str(item, "doi"))
    title = html_to_text(_str(item, "title"))
    if not doi or not title:
        return None
    version = _int(item.get("version"))
    posted = _str(item, "date").strip()
    posted = plausible_iso(posted) if _DAY_RE.match(posted) else None
    server = "medrxiv" if _str(item, "server").lower() == "medrxiv" else "biorxiv"
    landing = f"https://www.{server}.org/content/{doi}" + (f"v{version}" if version else "")
    category = clean_text(_str(item, "category")).lower()
    return PaperRecord(
        title=title,
        doi=doi,
        preprint_version=version,
        abstract=html_to_text(_str(item, "abstract")) or None,
        authors=split_semicolons(_str(item, "authors")),
        # A later version's posting day is not when the paper first appeared.
        published_at=posted if version in (None, 1) else None,
        updated_at=posted,
        listing_date=posted,
        categories=(category,) if category else (),
        announce_type=None if version is None else ("new" if version == 1 else "replace"),
        url=landing,
        pdf_url=f"{landing}.full.pdf" if version else None,
        # "NA" until the preprint appears in a journal.
        published_doi=normalize_doi(_str(item, "published")),
    )
