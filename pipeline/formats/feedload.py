"""Turning fetched bytes into feedparser entries, or a one-line ParseError.

feedparser never raises: it returns whatever it could salvage and sets `bozo`.
That is right for a reader and wrong for an archive, where a cut-off response
must not pass for a short feed and an HTML error page must not pass for an
empty one. The rules live here so every feed parser applies them the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.model import ParseError

from .encoding import as_utf8
from .feedtext import clean_text

_CLOSED_ENTRY_RE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
_HTML_START_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
_HTML_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_FEED_ROOT_RE = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)[\s>]")


@dataclass(slots=True)
class LoadedFeed:
    feed: dict  # feedparser's channel-level fields
    entries: list[dict]  # complete entries only
    version: str  # feedparser's name of the format: rss20, atom10, rss10, ...
    notes: list[str] = field(default_factory=list)


_ENTITY_DECLARATION_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)


def looks_like_feed(head: bytes) -> bool:
    """Cheap content check: an RSS, Atom or RDF root near the start, and no HTML page."""
    return bool(_FEED_ROOT_RE.search(head)) and not _HTML_START_RE.match(head)


def checked_bytes(raw: bytes, what: str = "feed") -> bytes:
    """`raw` as UTF-8, or a ParseError for what no feed reader should try: no bytes, an empty
    body, an HTML page, entity declarations."""
    if not isinstance(raw, (bytes, bytearray)):
        raise ParseError(f"{what}: expected bytes, got {type(raw).__name__}")
    raw = as_utf8(raw)
    if not raw.strip():
        raise ParseError(f"{what}: empty response body")
    if _HTML_START_RE.match(raw[:4096]):
        title = _HTML_TITLE_RE.search(raw[:65536])
        shown = clean_text(title.group(1).decode("utf-8", "replace"))[:120] if title else ""
        raise ParseError(f"{what}: got an HTML page instead of a feed (title: {shown!r})")
    if _ENTITY_DECLARATION_RE.search(raw[:65536]):
        # Real feeds never declare entities; a declaration is how "billion laughs" expands without bound.
        raise ParseError(f"{what}: declares XML entities (<!ENTITY>): refused")
    return raw


def load_feed(raw: bytes, what: str = "feed") -> LoadedFeed:
    """Parse `raw` with feedparser and apply the archive's rules.

    - empty body, HTML page or anything feedparser cannot read as a feed: ParseError;
    - malformed (bozo) with no complete entry: ParseError, because a truncated
      response must not be recorded as an empty day;
    - malformed with complete entries: keep those (an entry is complete when its
      closing tag arrived), drop the rest, say so in `notes`.
    """
    raw = checked_bytes(raw, what)
    import feedparser  # 50 ms to import: only the commands that parse a feed pay for it

    try:
        parsed = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
    except Exception as error:  # its lenient fallback parser can trip over broken markup
        raise ParseError(f"{what}: unreadable feed ({type(error).__name__}: {clean_text(str(error))[:120]})") from None
    bozo = parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    reason = clean_text(str(parsed.get("bozo_exception", "")))[:200] if bozo else ""
    version = parsed.get("version") or ""
    entries = [e for e in parsed.get("entries", []) if isinstance(e, dict)]
    if not version:
        raise ParseError(f"{what}: not an RSS/Atom feed" + (f" ({reason})" if reason else ""))
    notes: list[str] = []
    if bozo:
        complete = entries[: len(_CLOSED_ENTRY_RE.findall(raw))]
        if not complete:
            raise ParseError(f"{what}: malformed feed with no complete entry ({reason})")
        dropped = len(entries) - len(complete)
        notes.append(
            f"malformed feed ({reason}): kept {len(complete)} complete entries"
            + (f", dropped {dropped} incomplete" if dropped else "")
        )
        entries = complete
    return LoadedFeed(feed=parsed.get("feed") or {}, entries=entries, version=version, notes=notes)
