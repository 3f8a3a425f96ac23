"""What feedparser drops from an item, read from the feed's own XML.

feedparser keeps one value per element name: of three `dc:identifier`s
(`doi: 10.3390/...`, `info:doi/10.3390/...`, a publisher id) only the last
survives, so a journal issue whose last identifier is a publisher id loses
every DOI and its items are keyed by title. It also lets `<title>` hide
`dc:title`, which some publishers fill with the clean title while `<title>`
carries a citation prefix (`Fluids, Vol. 9, Pages 120: ...`). This reads,
for each item in document order, every identifier-like element and the
`dc:title`, with a tolerant scan that also works on a feed cut short.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .encoding import as_utf8

_ITEM_RE = re.compile(r"<(?:[\w.-]+:)?(item|entry)\b[^>]*?(?<!/)>(.*?)</(?:[\w.-]+:)?\1\s*>", re.DOTALL)
_IDENTIFIER_RE = re.compile(
    r"<(?P<tag>(?:[\w.-]+:)?(?:identifier|doi|DOI|guid|id))\b[^>]*?(?<!/)>(?P<text>.*?)</(?P=tag)\s*>", re.DOTALL)
_ABOUT_RE = re.compile(r"""\brdf:about\s*=\s*["']([^"']+)["']""")
_DC_TITLE_RE = re.compile(r"<dc:title\b[^>]*?(?<!/)>(.*?)</dc:title\s*>", re.DOTALL)
_CDATA_RE = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


@dataclass(slots=True)
class RawItem:
    identifiers: list[str] = field(default_factory=list)
    dc_title: str | None = None


def _text(fragment: str) -> str:
    fragment = _CDATA_RE.sub(lambda m: m.group(1), fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", fragment)).split())


def raw_items(raw: bytes) -> list[RawItem]:
    """One `RawItem` per `<item>`/`<entry>`, in document order."""
    text = as_utf8(raw).decode("utf-8", "replace")
    items = []
    for match in _ITEM_RE.finditer(text):
        opening, body = match.group(0)[: match.start(2) - match.start(0)], match.group(2)
        found = RawItem()
        about = _ABOUT_RE.search(opening)
        if about:
            found.identifiers.append(html.unescape(about.group(1)))
        found.identifiers += [t for t in (_text(m.group("text")) for m in _IDENTIFIER_RE.finditer(body)) if t]
        title = _DC_TITLE_RE.search(body)
        found.dc_title = _text(title.group(1)) or None if title else None
        items.append(found)
    return items
