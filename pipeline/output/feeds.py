"""RSS 2.0 and Atom feeds of papers, so a feed reader can subscribe to a tag.

XML is produced by the standard library's `XMLGenerator`, which escapes every
text node and attribute and writes element by element (a feed of any size
streams). Characters XML cannot carry at all are dropped first: one of them
would make the whole feed unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any, TextIO
from xml.sax.saxutils import XMLGenerator

from pipeline.output.escape import safe_url, xml_text
from pipeline.output.exports import ExportOptions, register
from pipeline.output.formats import link_of

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
DEFAULT_LINK = "https://huggingface.co/papers"


def feed_id(options: ExportOptions) -> str:
    """The feed's permanent id: where it is served, else a name made from what it holds."""
    slug = "".join(c if c.isalnum() or c in "-:." else "-" for c in options.selection)
    return safe_url(options.url) or f"urn:paperfeed:feed:{slug}"


def _now(options: ExportOptions) -> datetime:
    return options.generated_at or datetime.now(timezone.utc).replace(microsecond=0)


def entry_id(paper: dict[str, Any]) -> str:
    """A permanent id per paper, the same in every export."""
    return f"urn:paperfeed:paper:{paper['id']}"


def parse_time(value: str | None) -> datetime | None:
    """A stored ISO timestamp or day as an aware UTC datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Writer:
    def __init__(self, out: TextIO):
        self.xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)

    def element(self, name: str, text: str | None = None, **attrs: str) -> None:
        self.xml.startElement(name, {k.rstrip("_").replace("__", ":"): xml_text(v) for k, v in attrs.items()})
        if text is not None:
            self.xml.characters(xml_text(text))
        self.xml.endElement(name)

    def start(self, name: str, **attrs: str) -> None:
        self.xml.startElement(name, {k.replace("__", ":"): v for k, v in attrs.items()})

    def end(self, name: str) -> None:
        self.xml.endElement(name)
        self.xml.ignorableWhitespace("\n")


@register("rss", "an RSS 2.0 feed")
def write_rss(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions) -> int:
    w = _Writer(out)
    w.xml.startDocument()
    w.start("rss", version="2.0", xmlns__atom=ATOM_NS, xmlns__dc=DC_NS)
    w.start("channel")
    w.element("title", options.title)
    w.element("link", DEFAULT_LINK)
    w.element("description", options.description)
    w.element("lastBuildDate", format_datetime(_now(options)))
    w.element("generator", "paperfeed")
    if safe_url(options.url):
        w.element("atom:link", href=options.url, rel="self", type="application/rss+xml")
    count = 0
    for paper in papers:
        w.start("item")
        w.element("title", paper["title"])
        if link := safe_url(link_of(paper)):
            w.element("link", link)
        w.element("guid", entry_id(paper), isPermaLink="false")
        seen = parse_time(paper.get("last_seen_at")) or parse_time(paper.get("published_at"))
        if seen:
            w.element("pubDate", format_datetime(seen))
        if paper.get("abstract"):
            w.element("description", paper["abstract"])
        for author in paper.get("authors") or []:
            w.element("dc:creator", author)
        for tag in paper.get("tags") or []:
            w.element("category", tag)
        w.end("item")
        count += 1
    w.end("channel")
    w.end("rss")
    w.xml.endDocument()
    return count


@register("atom", "an Atom feed")
def write_atom(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions) -> int:
    w = _Writer(out)
    w.xml.startDocument()
    w.start("feed", xmlns=ATOM_NS)
    w.element("title", options.title)
    w.element("subtitle", options.description)
    w.element("id", feed_id(options))
    w.element("updated", _rfc3339(_now(options)))
    w.element("link", href=DEFAULT_LINK, rel="alternate")
    if safe_url(options.url):
        w.element("link", href=options.url, rel="self", type="application/atom+xml")
    w.element("generator", "paperfeed")
    # Atom wants an author on the feed or on every entry; a paper may list none.
    w.start("author")
    w.element("name", "paperfeed")
    w.end("author")
    count = 0
    for paper in papers:
        w.start("entry")
        w.element("id", entry_id(paper))
        w.element("title", paper["title"], type="text")
        published = parse_time(paper.get("published_at"))
        seen = parse_time(paper.get("last_seen_at"))
        updated = max((t for t in (published, seen) if t), default=_now(options))
        w.element("updated", _rfc3339(updated))
        if published:
            w.element("published", _rfc3339(published))
        link = safe_url(link_of(paper))
        if link:
            w.element("link", href=link, rel="alternate", type="text/html")
        if pdf := safe_url(paper.get("pdf_url")):
            w.element("link", href=pdf, rel="related", type="application/pdf")
        for author in paper.get("authors") or []:
            w.start("author")
            w.element("name", author)
            w.end("author")
        for tag in paper.get("tags") or []:
            w.element("category", term=tag)
        if paper.get("abstract"):
            w.element("summary", paper["abstract"], type="text")
        if not link:
            # Without an alternate link Atom requires content.
            w.element("content", paper.get("abstract") or paper["title"], type="text")
        w.end("entry")
        count += 1
    w.end("feed")
    w.xml.endDocument()
    return count
