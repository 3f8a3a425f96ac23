"""PubMed records as E-utilities `efetch` serves them (`PubmedArticleSet` XML, read with lxml).

What a medical-imaging reader needs from a record, and where it hides:

- PMID (`MedlineCitation/PMID`), DOI (`PubmedData/ArticleIdList`, else
  `ELocationID EIdType="doi"`), PMCID (`ArticleId IdType="pmc"`). Only the
  record's own `ArticleIdList` counts: the reference list holds the PMIDs
  of cited papers in the same element names.
- The abstract with its section labels (`BACKGROUND: ... METHODS: ...`),
  inline markup and MathML flattened to text; the copyright line is not
  part of it.
- Authors in order, a collective name ("ESPRIT Study Group") as an author.
- Journal title, ISO abbreviation, ISSNs.
- The earliest real date among `PubDate` (Year/Month/Day, a season, or a
  `MedlineDate` such as `2017 Jun-Jul`) and `ArticleDate` (the electronic
  publication): partial dates stay partial (`2018-04`), see `dates`.
- MeSH descriptors (name, UI, major topic), keywords, publication types.

A record's `listing_date` is its Entrez day (`PubMedPubDate PubStatus="entrez"`),
the day a `datetype=edat` search files it under. Book records
(`PubmedBookArticle`) are not papers of this field's journals: counted in a note.
"""

from __future__ import annotations

import re

from pipeline.identity.ids import normalize_doi
from pipeline.model import Listing, MeshHeading, PaperRecord, ParseError

from .dates import earliest, month_number, partial_iso
from .xmltree import child, child_text, children, local, parse_xml, text_of

FORMAT = "pubmed"
_PMID_RE = re.compile(r"[0-9]{1,9}", re.ASCII)
_PMCID_RE = re.compile(r"PMC[0-9]{1,9}", re.ASCII)
_YEAR_RE = re.compile(r"[0-9]{4}", re.ASCII)
_MEDLINE_DATE_RE = re.compile(r"^\s*([0-9]{4})(?:\s+([A-Za-z]+))?", re.ASCII)


def sniff(raw: bytes) -> bool:
    return b"<PubmedArticleSet" in bytes(raw[:4096])


def parse(raw: bytes) -> Listing:
    root = parse_xml(raw, "PubMed efetch")
    if local(root.tag) != "PubmedArticleSet":
        error = child_text(root, "ERROR") if local(root.tag) != "ERROR" else text_of(root)
        raise ParseError(f"PubMed efetch: {error or f'root element <{local(root.tag)}>, not PubmedArticleSet'}")
    listing = Listing(kind="search", format=FORMAT, confirmed_empty=not len(root))
    books = len(children(root, "PubmedBookArticle"))
    skipped = 0
    for article in children(root, "PubmedArticle"):
        notes: list[str] = []
        record = _record(article, notes)
        listing.notes += notes
        if record is None:
            skipped += 1
        else:
            listing.entries.append(record)
    if books:
        listing.notes.append(f"skipped {books} book records (PubmedBookArticle)")
    if skipped:
        listing.notes.append(f"skipped {skipped} records without a PMID or title")
    if skipped and not listing.entries:
        raise ParseError(f"PubMed efetch: none of {skipped} records has a PMID and a title")
    return listing


def _record(article, notes: list[str]) -> PaperRecord | None:
    citation = child(article, "MedlineCitation")
    data = child(article, "PubmedData")
    pmid = child_text(citation, "PMID")
    body = child(citation, "Article")
    title = child_text(body, "ArticleTitle") or child_text(body, "VernacularTitle")
    if not _PMID_RE.fullmatch(pmid) or not title:
        return None
    ids = _article_ids(data)
    doi = normalize_doi(ids.get("doi")) or _elocation_doi(body)
    journal = child(body, "Journal")
    return PaperRecord(
        title=title,
        pmid=pmid,
        pmcid=ids.get("pmc") if _PMCID_RE.fullmatch(ids.get("pmc", "")) else None,
        doi=doi,
        abstract=_abstract(child(body, "Abstract")) or None,
        authors=_authors(child(body, "AuthorList")),
        published_at=_published(body, journal, pmid, notes),
        listing_date=_history_day(data, "entrez"),
        journal=child_text(journal, "Title") or None,
        journal_abbrev=child_text(journal, "ISOAbbreviation") or None,
        issns=_issns(journal, child(citation, "MedlineJournalInfo")),
        keywords=tuple(dict.fromkeys(
            text_of(k) for kl in children(citation, "KeywordList") for k in children(kl, "Keyword") if text_of(k)
        )),
        mesh=_mesh(child(citation, "MeshHeadingList")),
        publication_types=tuple(dict.fromkeys(
            text_of(t) for t in children(child(body, "PublicationTypeList"), "PublicationType") if text_of(t)
        )),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
    )


def _article_ids(data) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in children(child(data, "ArticleIdList"), "ArticleId"):
        kind = (item.get("IdType") or "").lower()
        if kind and kind not in found and text_of(item):
            found[kind] = text_of(item)
    return found


def _elocation_doi(body) -> str | None:
    for item in children(body, "ELocationID"):
        if (item.get("EIdType") or "").lower() == "doi" and item.get("ValidYN", "Y") == "Y":
            return normalize_doi(text_of(item))
    return None


def _abstract(abstract) -> str:
    if abstract is None:
        return ""
    parts = []
    for section in children(abstract, "AbstractText"):
        text = text_of(section)
        label = (section.get("Label") or "").strip()
        if text:
            parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _authors(author_list) -> tuple[str, ...]:
    names = []
    for author in children(author_list, "Author"):
        if author.get("ValidYN", "Y") != "Y":
            continue
        collective = child_text(author, "CollectiveName")
        if collective:
            names.append(collective)
            continue
        last, fore = child_text(author, "LastName"), child_text(author, "ForeName") or child_text(author, "Initials")
        suffix = child_text(author, "Suffix")
        name = " ".join(part for part in (fore, last, suffix) if part)
        if name:
            names.append(name)
    return tuple(names)


def _date_of(element) -> tuple[str | None, bool]:
    """(partial ISO date, whether the element had a date at all)."""
    if element is None:
        return None, False
    year_text = child_text(element, "Year")
    if year_text:
        year = int(year_text) if _YEAR_RE.fullmatch(year_text) else None
        month_text = child_text(element, "Month") or child_text(element, "Season")
        month = month_number(month_text) if month_text else None
        day_text = child_text(element, "Day")
        day = int(day_text) if re.fullmatch(r"[0-9]{1,2}", day_text, re.ASCII) else None
        if (month_text and month is None) or (day_text and day is None):
            return None, True
        return partial_iso(year, month, day if month else None), True
    medline = child_text(element, "MedlineDate")
    if medline:
        match = _MEDLINE_DATE_RE.match(medline)
        if not match:
            return None, True
        month = month_number(match.group(2)) if match.group(2) else None
        return partial_iso(int(match.group(1)), month), True
    return None, False


def _published(body, journal, pmid: str, notes: list[str]) -> str | None:
    issue = child(journal, "JournalIssue")
    candidates = []
    for element in [child(issue, "PubDate"), *children(body, "ArticleDate")]:
        value, present = _date_of(element)
        if present and value is None:
            notes.append(f"PMID {pmid}: impossible date {text_of(element)!r} ignored")
        candidates.append(value)
    return earliest([c for c in candidates if c])


def _history_day(data, status: str) -> str | None:
    for item in children(child(data, "History"), "PubMedPubDate"):
        if item.get("PubStatus") == status:
            value, _ = _date_of(item)
            return value if value and len(value) == 10 else None
    return None


def _issns(journal, journal_info) -> tuple[str, ...]:
    found = [text_of(i) for i in children(journal, "ISSN")] + [child_text(journal_info, "ISSNLinking")]
    return tuple(dict.fromkeys(i.upper() for i in found if re.fullmatch(r"[0-9]{4}-[0-9]{3}[0-9Xx]", i, re.ASCII)))


def _mesh(heading_list) -> tuple[MeshHeading, ...]:
    headings = []
    for heading in children(heading_list, "MeshHeading"):
        descriptor = child(heading, "DescriptorName")
        if descriptor is None or not text_of(descriptor):
            continue
        major = descriptor.get("MajorTopicYN") == "Y" or any(
            q.get("MajorTopicYN") == "Y" for q in children(heading, "QualifierName")
        )
        headings.append(MeshHeading(text_of(descriptor), descriptor.get("UI") or "", major))
    return tuple(headings)
