"""What a reading-page card shows, built from a stored paper: the best page to land on,
shortened authors, the venue, and the title and abstract with the words behind each tag marked.

Every stored value is escaped here, once, and only http(s) links survive (`safe_url`), so the
template can print the results as they are.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from html import escape as html_escape
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup

from pipeline.output.digest import modality_label
from pipeline.output.escape import safe_url

AUTHORS_SHOWN = 3
ABSTRACT_LEAD = 280  # characters shown before the fold
OTHER = "Other"
_FACET_ORDER = {"modality": 0, "anatomy": 1, "task": 2}
MODALITY_NAMES = {"xray": "X-ray", "pet": "PET", "histopathology": "Histopathology"}


@dataclass(frozen=True)
class Chip:
    tag: str
    label: str
    facet: str  # modality, anatomy, task, or the whole tag for facet-less tags
    why: str  # the words that fired, for the tooltip


@dataclass(frozen=True)
class Card:
    id: str
    title: Markup
    link: str | None
    link_label: str
    authors: str
    venue: str
    code: str | None
    project: str | None
    upvotes: int | None
    chips: tuple[Chip, ...]
    lead: Markup
    rest: Markup
    labels: tuple[str, ...] | None
    day: str
    group: str


def best_page(paper: dict[str, Any]) -> tuple[str | None, str]:
    """arXiv, else the DOI, else Hugging Face, else the landing page: (url, what it is)."""
    arxiv = paper.get("arxiv_url") or (f"https://arxiv.org/abs/{paper['arxiv_id']}" if paper.get("arxiv_id") else None)
    doi = f"https://doi.org/{paper['doi']}" if paper.get("doi") else None
    for url, label in ((arxiv, "arXiv"), (doi, "DOI"), (paper.get("hf_url"), "Hugging Face"), (paper.get("url"), "page")):
        if safe_url(url):
            return url, label
    return None, ""


def short_authors(authors_json: str | None) -> str:
    """`Ana Ruiz, Bo Chen, Cy Dee et al. (12)`: enough to recognise a group, short on a phone."""
    try:
        names = [str(name) for name in json.loads(authors_json or "[]")]
    except ValueError:
        names = []
    if len(names) <= AUTHORS_SHOWN + 1:
        return ", ".join(names)
    return ", ".join(names[:AUTHORS_SHOWN]) + f" et al. ({len(names)})"


def venue_of(paper: dict[str, Any]) -> str:
    try:
        categories = json.loads(paper.get("categories") or "[]")
    except ValueError:
        categories = []
    parts = []
    if categories:
        parts.append(str(categories[0]))
    if paper.get("organization"):
        parts.append(str(paper["organization"]))
    if paper.get("doi") and not paper.get("arxiv_id"):
        parts.append(f"doi:{paper['doi']}")
    parts.append(", ".join((paper.get("sources") or "").split(",")))
    return " · ".join(p for p in parts if p)


def highlight(text: str | None, words: dict[str, str], cut: int | None = None) -> tuple[Markup, Markup]:
    """`text` escaped, each of `words` (case-insensitive, whole words) in a <mark> of its tag's facet,
    as (before `cut`, after it); a marked word across the cut stays whole, before it.

    `words` maps a matched word to the facet of the tag it fired (`modality`, `task`, ...), so a
    marked word has the colour of its chip; a word behind several tags takes the first.
    """
    text = text or ""
    cut = len(text) if cut is None else cut
    facets = {w.strip().lower(): facet for w, facet in words.items() if w and w.strip()}
    if not facets:
        return Markup(html_escape(text[:cut], quote=False)), Markup(html_escape(text[cut:], quote=False))
    lowered = text.lower()
    terms = tuple(sorted(facets, key=len, reverse=True))
    if len(lowered) != len(text):  # a few characters lower-case to two; match those case-insensitively
        lowered, pattern = text, _pattern(terms, re.IGNORECASE)
    else:
        pattern = _pattern(terms)
    lead: list[str] = []
    out = lead
    rest: list[str] = []
    last = 0
    for match in pattern.finditer(lowered):
        start, end = match.span()
        if out is lead and start >= cut:
            split = max(cut, last)
            lead.append(html_escape(text[last:split], quote=False))
            out, last = rest, split
        out.append(html_escape(text[last:start], quote=False))
        out.append(f'<mark class="hit-{facets.get(match.group(0).lower(), "tag")}">'
                   f"{html_escape(text[start:end], quote=False)}</mark>")
        last = end
    if out is lead:
        split = max(cut, last)
        lead.append(html_escape(text[last:split], quote=False))
        last = split
    rest.append(html_escape(text[last:], quote=False))
    return Markup("".join(lead)), Markup("".join(rest))


@lru_cache(maxsize=4096)
def _pattern(terms: tuple[str, ...], flags: int = 0) -> re.Pattern:
    """Papers tagged by the same rules share their words: one compiled pattern serves them all.

    The terms are lower-case and matched against lower-cased text, which is faster than IGNORECASE.
    """
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", flags)


@lru_cache(maxsize=8192)
def chip_of(tag: str, matched: str) -> Chip:
    """Chips are immutable and a week's papers share most (tag, words) pairs: built once each."""
    label, facet = _label_and_facet(tag)
    return Chip(tag=tag, label=label, facet=facet, why=matched)


@lru_cache(maxsize=1024)
def _label_and_facet(tag: str) -> tuple[str, str]:
    facet, _, name = tag.partition(":")
    label = MODALITY_NAMES.get(name) or modality_label(name) if facet == "modality" else (name or tag)
    return label, facet if name else tag


def build_card(paper: dict[str, Any], evidence: list[tuple[str, str, str]], labels: list[str] | None) -> Card:
    words: dict[str, str] = {}
    # A word behind several tags takes the colour of the most specific one: modality, anatomy, task.
    for tag, _, matched in sorted(evidence, key=lambda e: _FACET_ORDER.get(e[0].partition(":")[0], 9)):
        for word in matched.split(";"):
            words.setdefault(word.strip(), _label_and_facet(tag)[1])
    abstract = paper.get("abstract") or ""
    lead, rest = highlight(abstract, words, _fold_at(abstract))
    link, link_label = best_page(paper)
    modalities = [_label_and_facet(tag)[0] for tag, _, _ in evidence if tag.startswith("modality:")]
    return Card(
        id=paper["id"],
        title=highlight(paper.get("title"), words)[0],
        link=link,
        link_label=link_label,
        authors=short_authors(paper.get("authors")),
        venue=venue_of(paper),
        code=safe_url(paper.get("github_repo")),
        project=safe_url(paper.get("project_page")),
        upvotes=paper.get("upvotes"),
        chips=tuple(chip_of(tag, matched) for tag, _, matched in evidence),
        lead=lead,
        rest=rest,
        labels=tuple(labels) if labels is not None else None,
        day=paper["first_seen_at"],
        group=modalities[0] if modalities else OTHER,
    )


def group_cards(cards: list[Card]) -> list[tuple[str, str, list[tuple[str, list[Card]]]]]:
    """[(day, day heading, [(modality, cards)])]: newest day first, its largest modality first, Other last.

    A paper with several modalities sits under the first (by name); its chips show the others.
    """
    days: dict[str, dict[str, list[Card]]] = {}
    for card in cards:
        days.setdefault(card.day, {}).setdefault(card.group, []).append(card)
    out = []
    for day in sorted(days, reverse=True):
        groups = days[day]
        order = sorted(groups, key=lambda name: (name == OTHER, -len(groups[name]), name.lower()))
        out.append((day, _day_heading(day), [(name, groups[name]) for name in order]))
    return out


def _day_heading(day: str) -> str:
    try:
        return date.fromisoformat(day).strftime("%A %d %B %Y")
    except ValueError:
        return day


def _fold_at(abstract: str) -> int:
    """Where the fold goes: the first sentence end after the lead, or a word boundary."""
    if len(abstract) <= ABSTRACT_LEAD + 80:
        return len(abstract)
    space = abstract.rfind(" ", 0, ABSTRACT_LEAD)
    return space if space > 0 else ABSTRACT_LEAD
