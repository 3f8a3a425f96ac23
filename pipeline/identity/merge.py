"""Which value a paper keeps when sources disagree.

Every rule picks the best of the stored and the incoming value by a total
order over the values and where they came from, never by which arrived
first. Picking a maximum is commutative, associative and idempotent, so
ingesting the same listings in any order, or again, ends with the same row,
and a re-ingest never flips a value back and forth. Merging two stored rows
of one paper (a DOI-only row meeting its arXiv id) uses the same rules.

Source precedence (`RANKS`): arXiv > bioRxiv/medRxiv > any other feed,
PubMed and Crossref > Hugging Face. arXiv and bioRxiv are the paper's own registry; journal and
PubMed feeds are third-party tables of contents; Hugging Face re-lists arXiv.
Each row remembers in `provenance` which source and version gave each of the
ruled fields, so a later value can be compared with how the stored one won.

- title, authors, categories, url, pdf_url: the higher-ranked source, then
  the higher version (a replacement's metadata supersedes the original),
  then the longer value (more authors, more categories), then the larger text.
  So arXiv's author list wins over HF's, and among HF listings the complete
  533-author list wins over one cut at five.
- abstract: a clean abstract (not cut off with "...") over a cut one, then as
  above: source, version, length.
- published_at: the earliest day, and within that day the more precise
  timestamp (v1's submission time beats the day it was announced).
- updated_at: the one of the highest version; within a version the more
  precise, then earlier, timestamp (the submission over the announcement).
- arxiv_version, preprint_version, github_stars: the highest seen.
- doi: a preprint server's DOI (bioRxiv/medRxiv) over a journal DOI, then
  the smaller; every other DOI stays findable in `identifiers`.
- first_seen_at / last_seen_at: earliest / latest listing day.
- first_listed_at: the earliest day that made the paper new (see `store.listings.first_listed_day`).
- code_url: the listing's `github_repo` when there is one, else as below.
- arxiv_id, hf_url, arxiv_url, github_repo, project_page, organization,
  ai_keywords, pmid, pmcid, journal, journal_abbrev, issns, orcids, venue: filled
  when missing; when two sources differ, the larger (longer list) is kept.
  Arbitrary but stable: only one source ever sets most of these.
- work_type: a journal's type (journal-article) over a preprint's
  (posted-content): the row of a published paper describes the publication.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from pipeline.columns import PAPER_COLUMNS

Row = dict[str, Any]

RANKS = {"arxiv": 4, "biorxiv": 3, "feed": 2, "hf": 1, "crossref": 2, "pubmed": 2}
PREPRINT_DOI_PREFIXES = ("10.1101/", "10.64898/")
_CUT_MARKS = ("...", "…")


def source_family(origin: str | None) -> str:
    """`arxiv-rss`, `arxiv-api`, ... → arxiv; `hf-api` → hf; any other format → feed."""
    origin = (origin or "").lower()
    for family in ("arxiv", "biorxiv", "hf", "crossref", "pubmed"):
        if origin.startswith(family):
            return family
    return "feed" if origin else ""


def _json_len(value: str | None) -> int:
    return len(json.loads(value)) if value else 0


def _present(name: str, value: Any) -> bool:
    if name in ("authors", "categories"):
        return _json_len(value) > 0
    return bool(value)


def _claim_key(name: str, value: Any, claim: list) -> tuple:
    family, version = claim if claim else ("", 0)
    base = (RANKS.get(family, 0), version or 0)
    if name == "abstract":
        return (not value.rstrip().endswith(_CUT_MARKS), *base, len(value), value)
    if name in ("authors", "categories"):
        return (*base, _json_len(value), value)
    return (*base, len(value), value)


CLAIMED = tuple(column.name for column in PAPER_COLUMNS if column.merge == "claimed")


def _pick_claimed(name: str, stored: Row, incoming: Row, merged: Row, provenance: dict) -> None:
    stored_claims = json.loads(stored.get("provenance") or "{}")
    incoming_claims = json.loads(incoming.get("provenance") or "{}")
    candidates = [
        (_claim_key(name, row[name], claims.get(name)), row[name], claims.get(name))
        for row, claims in ((stored, stored_claims), (incoming, incoming_claims))
        if _present(name, row.get(name))
    ]
    if not candidates:
        return
    _, value, claim = max(candidates, key=lambda c: c[0])
    merged[name] = value
    if claim:
        provenance[name] = claim


def _updated_at(stored: Row, incoming: Row, provenance: dict) -> str | None:
    options = []
    for row in (stored, incoming):
        value = row.get("updated_at")
        if value:
            claim = json.loads(row.get("provenance") or "{}").get("updated_at") or ["", 0]
            options.append((-(claim[1] or 0), -len(value), value, claim))
    if not options:
        return None
    best = min(options, key=lambda o: o[:3])
    provenance["updated_at"] = best[3]
    return best[2]


def _best(stored: Any, incoming: Any, key: Callable[[Any], Any] = lambda v: v, pick=max) -> Any:
    present = [v for v in (stored, incoming) if v not in (None, "")]
    return pick(present, key=key) if present else stored


def _keep_stored(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    return stored.get(name)


def _claimed(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    merged = {name: stored.get(name)}
    _pick_claimed(name, stored, incoming, merged, provenance)
    return merged[name]


def _latest_version(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    return _updated_at(stored, incoming, provenance)


def _larger(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    return _best(stored.get(name), incoming.get(name))


def _smaller(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    return _best(stored.get(name), incoming.get(name), pick=min)


def _earliest_day(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    return _best(stored.get(name), incoming.get(name), key=lambda v: (v[:10], -len(v), v), pick=min)


def _preprint_doi(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    return _best(stored.get(name), incoming.get(name), key=lambda d: (not d.startswith(PREPRINT_DOI_PREFIXES), d),
                 pick=min)


def _longest_list(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    lists = [v for v in (stored.get(name), incoming.get(name)) if _json_len(v)]
    return max(lists, key=lambda v: (_json_len(v), v)) if lists else stored.get(name)


def _journal_type(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    return _best(stored.get(name), incoming.get(name), key=lambda t: (t != "posted-content", t))


def _listing_code_first(name: str, stored: Row, incoming: Row, provenance: dict) -> Any:
    """The listing's own repository link (`github_repo`) beats one found in free text; otherwise the larger."""
    return _best(stored.get("github_repo"), incoming.get("github_repo")) or _best(stored.get(name), incoming.get(name))


# Merge rules by the names `pipeline.columns` gives them. `provenance` is written last, from the
# claims the other rules recorded.
RULES: dict[str, Callable[[str, Row, Row, dict], Any]] = {
    "key": _keep_stored,
    "claimed": _claimed,
    "updated": _latest_version,
    "max": _larger,
    "min": _smaller,
    "earliest-day": _earliest_day,
    "preprint-doi": _preprint_doi,
    "longest-list": _longest_list,
    "journal-type": _journal_type,
    "listing-code-first": _listing_code_first,
    "provenance": lambda name, stored, incoming, provenance: json.dumps(provenance, sort_keys=True),
}


def merge_paper(stored: Row, incoming: Row) -> Row:
    """The row to keep, given two rows of the same paper (stored and new, or two stored ones).

    Each column is combined by its declared rule (`pipeline.columns`), never by arrival order.
    """
    merged = dict(stored)
    provenance: dict[str, list] = {}
    for column in PAPER_COLUMNS:
        if column.merge != "provenance":
            merged[column.name] = RULES[column.merge](column.name, stored, incoming, provenance)
    for column in PAPER_COLUMNS:
        if column.merge == "provenance":
            merged[column.name] = RULES["provenance"](column.name, stored, incoming, provenance)
    return merged


def claims_for(row: Row, family: str, version: int | None) -> str:
    """The `provenance` of a row built from one record: every ruled field it has came from `family`."""
    claims = {name: [family, version or 0] for name in CLAIMED if _present(name, row.get(name))}
    if row.get("updated_at"):
        claims["updated_at"] = [family, version or 0]
    return json.dumps(claims, sort_keys=True)
