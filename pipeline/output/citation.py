"""What reference managers need to know about a paper, shared by the BibTeX, RIS and CSL-JSON exports
and the Zotero push.

An arXiv paper that no journal record describes is a preprint (`@misc` with
`eprint`, `archivePrefix`, `primaryClass`); a paper with a journal is an
article. Keys are built from the paper alone (first author's surname, year,
first title word, and the arXiv id or a short hash of the DOI or key), so the
same paper has the same key in every export, whatever else is selected.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "la", "le", "du", "dos", "das", "ter", "ten"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STOP_WORDS = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "towards", "toward", "via"}


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""

    @property
    def inverted(self) -> str:
        """`Ruiz, Ana`: the form BibTeX and RIS read without guessing."""
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(frozen=True)
class Reference:
    key: str
    kind: str  # preprint or article
    title: str
    authors: tuple[Name, ...]
    year: str | None
    month: str | None
    day: str | None
    doi: str | None
    arxiv_id: str | None
    primary_class: str | None
    journal: str | None
    venue: str | None
    url: str | None
    abstract: str | None
    tags: tuple[str, ...]
    code_url: str | None
    paper_id: str


def plain(text: str | None) -> str | None:
    """Control characters out, whitespace collapsed: no format can carry U+0001."""
    if text is None:
        return None
    return " ".join(_CONTROL.sub(" ", text).split()) or None


def split_name(name: str) -> Name:
    """`Ana Ruiz` -> Ruiz, Ana; `Tahmasebi, Nina` stays as written; `Jan van der Berg` -> van der Berg, Jan."""
    name = plain(name) or ""
    if "," in name:
        family, _, given = name.partition(",")
        return Name(family.strip(), given.strip())
    words = name.split()
    if len(words) <= 1:
        return Name(name)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Name(" ".join(words[start:]), " ".join(words[:start]))


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(paper: dict[str, Any], authors: tuple[Name, ...], year: str | None) -> str:
    surname = _ascii_word(authors[0].family.split()[-1]) if authors else "anon"
    words = [w for w in (_ascii_word(w) for w in re.split(r"[\s\-/:]+", paper.get("title") or "")) if w]
    word = next((w for w in words if w not in _STOP_WORDS and not w.isdigit()), "paper")
    suffix = paper.get("arxiv_id") or hashlib.sha1(str(paper.get("doi") or paper["id"]).encode()).hexdigest()[:6]
    return f"{surname or 'anon'}{year or ''}{word}-{suffix.replace('/', '.')}"


def reference(paper: dict[str, Any]) -> Reference:
    authors = tuple(split_name(a) for a in paper.get("authors") or [] if plain(a))
    published = paper.get("published_at") or paper.get("first_listed_at") or ""
    year, month, day = (published[:4] or None, published[5:7] or None, published[8:10] or None)
    categories = paper.get("categories") or []
    journal = plain(paper.get("journal"))
    kind = "article" if journal or (not paper.get("arxiv_id") and paper.get("doi")) else "preprint"
    url = paper.get("arxiv_url") or (f"https://doi.org/{paper['doi']}" if paper.get("doi") else None) \
        or paper.get("url") or paper.get("hf_url")
    return Reference(
        key=citation_key(paper, authors, year), kind=kind, title=plain(paper.get("title")) or "(untitled)",
        authors=authors, year=year, month=month, day=day, doi=paper.get("doi"), arxiv_id=paper.get("arxiv_id"),
        primary_class=categories[0] if categories and paper.get("arxiv_id") else None, journal=journal,
        venue=plain(paper.get("venue")), url=url, abstract=plain(paper.get("abstract")),
        tags=tuple(paper.get("tags") or ()), code_url=paper.get("code_url"), paper_id=paper["id"],
    )
