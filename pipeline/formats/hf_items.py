"""Hugging Face paper objects, as both the JSON API and the page's hydration JSON give them.

The API answers with items (`{"paper": {...}, "numComments": ..., ...}`) on
`/api/daily_papers` and with flat paper objects on `/api/papers/{id}`; the
daily page embeds the same items. One mapping serves all of them.
"""

from __future__ import annotations

from pipeline.identity.ids import parse_arxiv_id
from pipeline.model import ParseError, PaperRecord
from pipeline.text import clean_text, parse_int

HF_PAPER_URL = "https://huggingface.co/papers/{id}"
ARXIV_ABS_URL = "https://arxiv.org/abs/{id}"
ARXIV_PDF_URL = "https://arxiv.org/pdf/{id}"


def iso_day(timestamp: str | None) -> str | None:
    """`2024-10-25T00:57:09.392Z` -> `2024-10-25`."""
    if not isinstance(timestamp, str) or len(timestamp) < 10:
        return None
    return timestamp[:10]


def iso_timestamp(timestamp: str | None) -> str | None:
    """HF's `2024-07-31T17:59:30.000Z` -> `2024-07-31T17:59:30Z` (milliseconds say nothing)."""
    if not isinstance(timestamp, str) or not timestamp:
        return None
    text = timestamp.strip()
    if "." in text and text.endswith("Z"):
        text = text.split(".", 1)[0] + "Z"
    return text


def _text(value: object) -> str | None:
    """Cleaned text, or None for a field of another JSON type: a changed API must not crash the parse."""
    return clean_text(value) if isinstance(value, str) else None


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("fullname") or value.get("name"))
    return _text(value)


def _handle(user: object) -> str | None:
    """The HF user name cards show (`akhaliq`), not the display name."""
    if isinstance(user, dict):
        return _text(user.get("name") or user.get("user") or user.get("fullname"))
    return None


def record_from_item(item: object, rank: int | None) -> PaperRecord:
    """Map one API item or flat paper object to a record; ParseError if it is neither."""
    if not isinstance(item, dict):
        raise ParseError(f"expected a paper object, got {type(item).__name__}")
    paper = item.get("paper") if isinstance(item.get("paper"), dict) else item
    raw_id = paper.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        # An id that arrives as a JSON number has already lost its trailing zeros.
        raise ParseError(f"paper object without a text id (got {raw_id!r})")
    parsed = parse_arxiv_id(raw_id)
    if parsed is None:
        raise ParseError(f"paper id {raw_id!r} is not an arXiv id")
    arxiv_id, version = parsed
    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title:
        raise ParseError(f"paper {arxiv_id} has no title")
    authors = tuple(
        name
        for author in _list(paper.get("authors"))
        if isinstance(author, dict) and (name := _text(author.get("name")))
    )
    organization = paper.get("organization") or item.get("organization")
    keywords = _list(paper.get("ai_keywords"))
    # The day the paper was put on the daily list; a flat paper object has only its own.
    listed_at = paper.get("submittedOnDailyAt")
    if paper is not item:
        listed_at = listed_at or item.get("publishedAt")
    return PaperRecord(
        title=title,
        arxiv_id=arxiv_id,
        arxiv_version=version,
        abstract=_text(paper.get("summary")),
        authors=authors,
        published_at=iso_timestamp(paper.get("publishedAt")),
        hf_url=HF_PAPER_URL.format(id=arxiv_id),
        arxiv_url=ARXIV_ABS_URL.format(id=arxiv_id),
        pdf_url=ARXIV_PDF_URL.format(id=arxiv_id),
        github_repo=_text(paper.get("githubRepo")),
        github_stars=parse_int(paper.get("githubStars")),
        project_page=_text(paper.get("projectPage")),
        organization=_name(organization),
        ai_keywords=tuple(k for k in (clean_text(k) for k in keywords if isinstance(k, str)) if k),
        listing_date=iso_day(listed_at),
        rank=rank,
        upvotes=parse_int(paper.get("upvotes")),
        comments=parse_int(item.get("numComments")),
        submitter=_handle(item.get("submittedBy") or paper.get("submittedOnDailyBy")),
    )


def records_from_items(items: list, first_rank: int = 1) -> list[PaperRecord]:
    return [record_from_item(item, rank) for rank, item in enumerate(items, start=first_rank)]
