"""Which value a paper keeps when sources disagree.

Each rule is a choice between the stored value and the incoming one that
depends on the values alone, not on which arrived first, so ingesting the
same listings in any order, or again, ends with the same row and a re-ingest
never flips a value back and forth:

- abstract, authors: the longer one (a truncated feed abstract or an author
  list cut at "et al." loses to the complete one); ties keep the stored value.
- title: the stored one unless missing (all sources copy the arXiv title).
- published_at: the more precise timestamp (arXiv/HF time over a bare day),
  then the earlier one.
- arxiv_version: the highest seen.
- github_stars: the larger count (stars only grow, so that is the latest).
- first_seen_at / last_seen_at: earliest / latest listing day.
- every other field: the stored value, filled in when it was missing.
"""

from __future__ import annotations

import json
from typing import Any

Row = dict[str, Any]

_LONGER = ("abstract",)
_LONGER_JSON_LIST = ("authors",)
_FILL_ONLY = (
    "title",
    "doi",
    "arxiv_id",
    "hf_url",
    "arxiv_url",
    "pdf_url",
    "github_repo",
    "project_page",
    "organization",
)
_FILL_ONLY_JSON_LIST = ("ai_keywords", "categories")


def _longer(stored: Any, incoming: Any) -> Any:
    if not incoming:
        return stored
    if not stored:
        return incoming
    return incoming if len(incoming) > len(stored) else stored


def _json_list_len(value: str | None) -> int:
    return len(json.loads(value)) if value else 0


def _published(stored: str | None, incoming: str | None) -> str | None:
    if not incoming:
        return stored
    if not stored:
        return incoming
    return min((stored, incoming), key=lambda value: (-len(value), value))


def _max(stored: Any, incoming: Any) -> Any:
    if incoming is None:
        return stored
    if stored is None:
        return incoming
    return max(stored, incoming)


def _min(stored: Any, incoming: Any) -> Any:
    if incoming is None:
        return stored
    if stored is None:
        return incoming
    return min(stored, incoming)


def merge_paper(stored: Row, incoming: Row) -> Row:
    """The row to keep, given the stored row and the row built from a new record."""
    merged = dict(stored)
    for name in _LONGER:
        merged[name] = _longer(stored.get(name), incoming.get(name))
    for name in _LONGER_JSON_LIST:
        if _json_list_len(incoming.get(name)) > _json_list_len(stored.get(name)):
            merged[name] = incoming[name]
    for name in _FILL_ONLY:
        if not stored.get(name) and incoming.get(name):
            merged[name] = incoming[name]
    for name in _FILL_ONLY_JSON_LIST:
        if _json_list_len(stored.get(name)) == 0 and _json_list_len(incoming.get(name)):
            merged[name] = incoming[name]
    merged["published_at"] = _published(stored.get("published_at"), incoming.get("published_at"))
    merged["arxiv_version"] = _max(stored.get("arxiv_version"), incoming.get("arxiv_version"))
    merged["github_stars"] = _max(stored.get("github_stars"), incoming.get("github_stars"))
    merged["first_seen_at"] = _min(stored.get("first_seen_at"), incoming.get("first_seen_at"))
    merged["last_seen_at"] = _max(stored.get("last_seen_at"), incoming.get("last_seen_at"))
    return merged
