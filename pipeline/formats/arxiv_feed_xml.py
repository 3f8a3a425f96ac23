"""arXiv's announcement feeds read straight from the XML with lxml, one entry at a time.

feedparser reads any feed, and pays for it: on arXiv's Atom feed it takes ten
times what lxml takes to extract the same fields. arXiv's feeds have a fixed
layout, so this reader takes the few elements `arxiv_feed` uses and hands them
over in feedparser's shape (the same keys, the same text), and `arxiv_feed`
builds the records with the same code whichever reader ran; a test compares
the two on every arXiv fixture. `iterparse` drops each entry once it is read,
so a large file is never held as a whole tree.

Anything this reader does not expect (a document lxml cannot read strictly,
such as a cut-off response; markup inside a text field; an unknown root or
RSS version) is left to feedparser (`load` returns None), whose salvage rules
in `feedload` then apply unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import IO, Any

from lxml import etree

from .feedload import LoadedFeed, checked_bytes

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

# Element -> feedparser's key, per format. Each entry element's children are read through these.
_ARXIV_FIELDS = {f"{ARXIV}{name}": f"arxiv_{name.lower()}"
                 for name in ("announce_type", "DOI", "comment", "comments", "journal_reference", "journal_ref")}
_RSS_ENTRY = {"title": "title", "link": "link", "description": "summary", "guid": "id", "pubDate": "published",
              f"{DC}creator": "author", **_ARXIV_FIELDS}
_ATOM_ENTRY = {f"{ATOM}id": "id", f"{ATOM}title": "title", f"{ATOM}summary": "summary",
               f"{ATOM}published": "published", f"{DC}creator": "author", **_ARXIV_FIELDS}
_RDF_ENTRY = {f"{RSS1}title": "title", f"{RSS1}link": "link", f"{RSS1}description": "summary",
              f"{DC}creator": "author"}
_RSS_CHANNEL = {"pubDate": "published", "lastBuildDate": "updated"}
_ATOM_FEED = {f"{ATOM}updated": "updated"}
_RDF_CHANNEL = {f"{DC}date": "updated"}


class Unexpected(Exception):
    """Something this reader does not handle: feedparser reads the document instead."""


def load(raw: bytes, what: str = "arXiv feed") -> LoadedFeed | None:
    """The feed's channel fields and entries in feedparser's shape, or None to let feedparser read it.

    The checks every feed gets first (empty body, an HTML page, entity
    declarations) raise their ParseError here as they would in `load_feed`.
    """
    raw = checked_bytes(raw, what)
    feed: dict[str, Any] = {}
    try:
        entries = list(read_entries(BytesIO(raw), feed))
    except (etree.XMLSyntaxError, Unexpected):
        return None
    return LoadedFeed(feed=feed, entries=entries, version=feed.pop("version"), notes=[])


def read_entries(stream: IO[bytes], feed: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Each entry of the feed in `stream` as soon as its closing tag is read; `feed` gets the
    channel's fields (and `version`) as they pass. Raises XMLSyntaxError or Unexpected."""
    events = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, no_network=True,
                             load_dtd=False, remove_comments=True, remove_pis=True)
    _, root = next(events)
    version, entry_tag, entry_fields, top_tag, top_fields = _layout(root)
    feed["version"] = version
    for event, element in events:
        if event != "end":
            continue
        parent = element.getparent()
        if element.tag == entry_tag:
            yield _entry(element, entry_fields, version)
            element.clear()
            while element.getprevious() is not None:  # entries already read: free them too
                del parent[0]
        elif parent is not None and parent.tag == top_tag and element.tag in top_fields:
            feed.setdefault(top_fields[element.tag], _text(element))
        elif isinstance(element.tag, str) and element.tag.startswith(OPENSEARCH):
            feed["opensearch_" + element.tag[len(OPENSEARCH):].lower()] = _text(element)


def _layout(root) -> tuple[str, str, dict[str, str], str, dict[str, str]]:
    """(feedparser's version name, entry tag, entry fields, channel tag, channel fields) for the root."""
    if root.tag == "rss" and root.get("version") == "2.0":
        return "rss20", "item", _RSS_ENTRY, "channel", _RSS_CHANNEL
    if root.tag == f"{ATOM}feed":
        return "atom10", f"{ATOM}entry", _ATOM_ENTRY, f"{ATOM}feed", _ATOM_FEED
    if root.tag == f"{RDF}RDF":
        return "rss10", f"{RSS1}item", _RDF_ENTRY, f"{RSS1}channel", _RDF_CHANNEL
    raise Unexpected(root.tag)


def _entry(element, fields: dict[str, str], version: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    tags: list[dict[str, Any]] = []
    authors: list[dict[str, str]] = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in ("category", f"{ATOM}category"):
            term = (child.get("term") if version == "atom10" else _text(child)) or ""
            tags.append({"term": term.strip(), "scheme": None, "label": None})
        elif tag == f"{ATOM}link":
            if child.get("rel", "alternate") == "alternate" and "link" not in entry:
                entry["link"] = (child.get("href") or "").strip()
        elif tag == f"{ATOM}author":
            name = child.find(f"{ATOM}name")
            if name is not None:
                authors.append({"name": _text(name)})
        elif tag in fields:
            key = fields[tag]
            entry[key] = _text(child)
            if key == "author":
                authors.append({"name": entry[key]})
    if version == "rss10" and element.get(f"{RDF}about"):
        entry["id"] = element.get(f"{RDF}about").strip()
    if tags:
        entry["tags"] = tags
    if authors:
        entry["authors"] = authors
        entry.setdefault("author", authors[0]["name"])
    return entry


def _text(element) -> str:
    """The element's text as feedparser gives it (stripped); markup inside is not this reader's business."""
    if len(element):
        raise Unexpected(f"markup inside <{element.tag}>")
    return (element.text or "").strip()

