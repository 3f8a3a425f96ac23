"""One identity per paper: arXiv ids, DOIs and the canonical `papers.id`.

Every source spells identifiers its own way (`oai:arXiv.org:2509.15234v1`,
`https://arxiv.org/abs/hep-ex/0307015v1`, `doi:10.1101/857789`); everything
that compares papers goes through these functions so that the spellings meet.
Ids are always handled as text: `2503.02130` must never pass through a float.
"""

from __future__ import annotations

import re

# New style (0704.0001 .. 2509.15234) and old style (hep-ex/0307015, math.GT/0309136).
_ARXIV_RE = re.compile(
    r"(?:arxiv:|abs/|pdf/|oai:arxiv\.org:|10\.48550/arxiv\.|papers/)?"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7})"
    r"(?:v(?P<version>\d+))?(?![\d])",
    re.IGNORECASE,
)
_DOI_RE = re.compile(r"10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)


def parse_arxiv_id(text: str | None) -> tuple[str, int | None] | None:
    """Find an arXiv id in an id, URL or guid; return (id, version or None)."""
    if not text:
        return None
    match = _ARXIV_RE.search(text.strip())
    if not match:
        return None
    arxiv_id = match.group("id")
    if "/" in arxiv_id:
        archive, number = arxiv_id.split("/", 1)
        # The archive is lower-case; a subject class (math.GT) keeps its case.
        head, _, subject = archive.partition(".")
        arxiv_id = head.lower() + ("." + subject.upper() if subject else "") + "/" + number
    version = match.group("version")
    return arxiv_id, int(version) if version else None


def normalize_doi(text: str | None) -> str | None:
    """Lower-cased DOI without `doi:` or resolver prefix, or None."""
    if not text:
        return None
    match = _DOI_RE.search(text.strip())
    if not match:
        return None
    return match.group(0).rstrip(".,;)").lower()


def paper_id(arxiv_id: str | None, doi: str | None, title_key: str | None = None) -> str | None:
    """The canonical text key of `papers.id`: arXiv first, then DOI, then a title key."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if doi:
        return f"doi:{doi}"
    if title_key:
        return f"title:{title_key}"
    return None
