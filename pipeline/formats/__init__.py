"""Source formats: one module per format, each exposing `sniff(raw)` and `parse(raw) -> Listing`.

Fetching lives elsewhere, so every parser runs on saved bytes. The format of
a saved file or a URL's answer is told from its content, never its name:
`detect` asks each format in turn.
"""

from __future__ import annotations

from types import ModuleType

from pipeline.model import Listing, ParseError
from pipeline.formats.encoding import as_utf8
from pipeline.formats import (
    arxiv_api, arxiv_feed, arxiv_oai, biorxiv_api, biorxiv_rss, crossref, generic_feed, hf_api, hf_html, hf_text, pubmed,
)

# Most specific first: a format whose sniff could also accept another's bytes comes later;
# the generic feed reader takes whatever feed no specific parser claims.
# Crossref comes before the HF API, whose sniff accepts any JSON with an "id".
FORMATS: list[ModuleType] = [
    crossref, hf_html, hf_api, hf_text, arxiv_api, arxiv_feed, arxiv_oai, pubmed, biorxiv_api, biorxiv_rss, generic_feed,
]


def detect(raw: bytes) -> ModuleType:
    """The format module for these bytes; ParseError naming what they look like otherwise."""
    raw = as_utf8(raw)
    for module in FORMATS:
        if module.sniff(raw):
            return module
    head = raw[:60].decode("utf-8", "replace").strip().replace("\n", " ")
    if not head:
        raise ParseError("empty response: nothing to parse")
    raise ParseError(f"unrecognised content (starts with {head!r}): not a papers listing paperfeed can read")


def parse_any(raw: bytes) -> Listing:
    raw = as_utf8(raw)
    return detect(raw).parse(raw)
