"""One identity per paper: arXiv ids, DOIs and the canonical `papers.id`.

Every source spells identifiers its own way (`oai:arXiv.org:2509.15234v1`,
`https://arxiv.org/abs/hep-ex/0307015v1`, `doi:10.1101/857789`); everything
that compares papers goes through these functions so that the spellings meet.
Ids are always handled as text: `2503.02130` must never pass through a float.

Matching is deliberately strict. A bare number such as `2020.12345` occurs
inside journal DOIs and page numbers, and a false arXiv id would merge two
unrelated papers, so a bare id is only accepted when it is the whole field;
inside longer text an arXiv id needs a marker (`arXiv:`, an arXiv URL, an
`oai:` guid or the `10.48550` DOI).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote

# Archives that issued old-style ids (before April 2007); a closed list, so
# that `content/1234567` in some URL is never mistaken for an arXiv id.
_OLD_ARCHIVES = (
    "acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph "
    "cmp-lg comp-gas cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th "
    "math math-ph mtrl-th nlin nucl-ex nucl-th patt-sol physics plasm-ph q-alg q-bio "
    "quant-ph solv-int supr-con"
).split()
_OLD_ARCHIVE_RE = "|".join(sorted((re.escape(a) for a in _OLD_ARCHIVES), key=len, reverse=True))

_ID = (
    r"(?P<new>[0-9]{4}\.[0-9]{4,5}(?![0-9]))"
    rf"|(?P<old>(?:{_OLD_ARCHIVE_RE})(?:\.[A-Za-z]{{2}})?/[0-9]{{7}}(?![0-9]))"
)
_VERSION = r"(?:v(?P<version>[0-9]+))?(?![\w])"
# Markers that make an id inside longer text trustworthy. `abs/`, `pdf/` and
# `papers/` also cover relative links and huggingface.co/papers/ URLs.
_MARKED_ARXIV_RE = re.compile(
    r"(?:arxiv[:\s]\s*|oai:arxiv\.org:|10\.48550/arxiv\.|(?:^|/)(?:abs|pdf|html|format|papers)/)"
    rf"(?:{_ID}){_VERSION}",
    re.IGNORECASE,
)
_BARE_ARXIV_RE = re.compile(rf"(?:{_ID}){_VERSION}(?:\.pdf)?", re.IGNORECASE)

# DOIs end at whitespace, quotes, angle brackets, and `?`/`#`: in feeds a DOI
# almost always sits in a URL, where those start the query or fragment.
_DOI_RE = re.compile(r"10\.[0-9]{4,9}/[^\s\"'<>?#]+", re.IGNORECASE)
# bioRxiv/medRxiv DOIs (old 6-digit and dated forms) carry a version in URLs.
_PREPRINT_DOI_RE = re.compile(
    r"^(?P<doi>10\.(?:1101|64898)/(?:[0-9]{4}\.[0-9]{2}\.[0-9]{2}\.)?[0-9]{6,})(?:v(?P<version>[0-9]+))?(?![0-9])"
)
_PMID_RE = re.compile(r"(?:pmid:?\s*)?([0-9]{1,9})", re.ASCII | re.IGNORECASE)
_PMCID_RE = re.compile(r"(?:pmcid:?\s*)?(pmc[0-9]{1,9})", re.ASCII | re.IGNORECASE)
_BIORXIV_SHORT_LINK_RE = re.compile(r"/content/short/(?P<number>[0-9]{6,})v(?P<version>[0-9]+)")


def _valid_new_style(arxiv_id: str) -> bool:
    """YYMM must be a real month; 4-digit numbers before 2015, 5-digit after."""
    yymm, number = arxiv_id.split(".")
    if not 1 <= int(yymm[2:]) <= 12:
        return False
    return len(number) == (5 if int(yymm) >= 1501 else 4)


def _normalise_old_style(arxiv_id: str) -> str:
    archive, number = arxiv_id.split("/", 1)
    # The archive is lower-case; a subject class (math.GT) keeps upper case.
    head, _, subject = archive.partition(".")
    return head.lower() + ("." + subject.upper() if subject else "") + "/" + number


def _from_match(match: re.Match) -> tuple[str, int | None] | None:
    if match.group("new"):
        arxiv_id = match.group("new")
        if not _valid_new_style(arxiv_id):
            return None
    else:
        arxiv_id = _normalise_old_style(match.group("old"))
    version = match.group("version")
    return arxiv_id, int(version) if version else None


def parse_arxiv_id(text: str | None) -> tuple[str, int | None] | None:
    """Find an arXiv id in an id field, URL or guid; return (id, version or None)."""
    if not text:
        return None
    text = text.strip()
    bare = _BARE_ARXIV_RE.fullmatch(text)
    if bare:
        return _from_match(bare)
    for match in _MARKED_ARXIV_RE.finditer(text):
        found = _from_match(match)
        if found:
            return found
    return None


def split_doi_version(text: str | None) -> tuple[str | None, int | None]:
    """(DOI, preprint version): `10.1101/857789v2` is version 2 of `10.1101/857789`.

    Only bioRxiv/medRxiv DOIs are split: elsewhere a trailing `v2` may be part
    of the DOI itself.
    """
    if not text:
        return None, None
    text = text.strip()
    if "%2f" in text.lower():  # a DOI quoted into a URL parameter
        text = unquote(text)
    match = _DOI_RE.search(text)
    if not match:
        return None, None
    doi = match.group(0)
    if "%" in doi:
        doi = unquote(doi)
    doi = _trim_trailing_punctuation(doi).lower()
    preprint = _PREPRINT_DOI_RE.match(doi)
    if preprint:
        version = preprint.group("version")
        return preprint.group("doi"), int(version) if version else None
    return doi, None


def _trim_trailing_punctuation(doi: str) -> str:
    """Drop sentence punctuation after a DOI, keeping balanced `)` of SICI DOIs."""
    while doi and doi[-1] in ".,;:)]":
        if doi[-1] == ")" and doi.count("(") >= doi.count(")"):
            break
        doi = doi[:-1]
    return doi


def normalize_pmid(text: str | None) -> str | None:
    """`27797938` or `PMID: 27797938` -> `27797938`; None for anything else (ASCII digits only)."""
    match = _PMID_RE.fullmatch(text.strip()) if text else None
    return str(int(match.group(1))) if match and int(match.group(1)) > 0 else None


def normalize_pmcid(text: str | None) -> str | None:
    """`PMC5442267`, `pmc5442267` -> `PMC5442267`; None for anything else."""
    match = _PMCID_RE.fullmatch(text.strip()) if text else None
    return match.group(1).upper() if match else None


def first_arxiv_id(*candidates: object) -> tuple[str, int | None] | None:
    """The arXiv id of the first candidate (an entry id, a guid, a link) that has one."""
    for candidate in candidates:
        found = parse_arxiv_id(candidate) if isinstance(candidate, str) else None
        if found:
            return found
    return None


def normalize_doi(text: str | None) -> str | None:
    """Lower-cased DOI without `doi:`/resolver prefix or preprint version, or None."""
    return split_doi_version(text)[0]


def preprint_version_from_link(url: str | None) -> int | None:
    """Version of a bioRxiv/medRxiv preprint from its landing-page link."""
    if not url:
        return None
    short = _BIORXIV_SHORT_LINK_RE.search(url)
    if short:
        return int(short.group("version"))
    return split_doi_version(url)[1]


def preprint_doi_from_link(url: str | None) -> str | None:
    """DOI of a bioRxiv/medRxiv preprint from its link, including the pre-2020
    `/cgi/content/short/857789v1` form that only holds the DOI's number."""
    if not url:
        return None
    short = _BIORXIV_SHORT_LINK_RE.search(url)
    if short and re.search(r"(bio|med)rxiv\.org", url, re.IGNORECASE):
        return f"10.1101/{short.group('number')}"
    doi = normalize_doi(url)
    return doi if doi and _PREPRINT_DOI_RE.match(doi) else None


@dataclass(slots=True)
class FoundIdentifiers:
    """Identifiers found in free text, in order of first appearance, no repeats."""

    arxiv: list[tuple[str, int | None]] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)


def find_identifiers(*texts: str | None) -> FoundIdentifiers:
    """Every marked arXiv id and every DOI in links, ids and prose.

    arXiv's own DOIs (`10.48550/arXiv.…`) are reported as arXiv ids only.
    """
    found = FoundIdentifiers()
    seen_arxiv: set[str] = set()
    for text in texts:
        if not text:
            continue
        for match in _MARKED_ARXIV_RE.finditer(text):
            arxiv = _from_match(match)
            if arxiv and arxiv[0] not in seen_arxiv:
                seen_arxiv.add(arxiv[0])
                found.arxiv.append(arxiv)
        for match in _DOI_RE.finditer(text):
            doi = normalize_doi(match.group(0))
            if doi and not doi.startswith("10.48550/") and doi not in found.dois:
                found.dois.append(doi)
    return found


_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def _fold(text: str) -> str:
    """Lower-case ASCII words only: accents, markup and punctuation removed."""
    text = re.sub(r"<[^>]*>", " ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _surname(author: str) -> str:
    if "," in author:  # "Kukla, D." (bioRxiv) puts the surname first
        return _fold(author.split(",", 1)[0])
    words = [w for w in _fold(re.sub(r"\([^)]*\)", " ", author)).split() if w not in _NAME_SUFFIXES]
    return words[-1] if words else ""


def title_key(title: str | None, first_author: str | None = None) -> str | None:
    """Key for papers with neither arXiv id nor DOI: folded title + first surname.

    Feeds disagree on case, punctuation, accents and markup in titles, and on
    name order ("Kukla, D." vs "Dan Kukla"), so only the letters and digits of
    the title and the first author's surname are kept.
    """
    folded = _fold(title or "")
    if not folded:
        return None
    surname = _surname(first_author) if first_author else ""
    return f"{folded}|{surname}"


def paper_id(arxiv_id: str | None, doi: str | None, title_key: str | None = None,
             pmid: str | None = None, pmcid: str | None = None) -> str | None:
    """The canonical text key of `papers.id`: arXiv first, then DOI, PMID, PMCID, then a title key."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if doi:
        return f"doi:{doi}"
    if pmid:
        return f"pmid:{pmid}"
    if pmcid:
        return f"pmcid:{pmcid}"
    if title_key:
        return f"title:{title_key}"
    return None
