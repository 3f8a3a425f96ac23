"""The records that flow between stages: parsers to the store (and, read back, to callers).

A parser turns saved bytes into a `Listing`: the entries it found plus what the
page says about itself (which day it lists, what kind of listing it is). Each
`PaperRecord` carries both the paper's own fields and how it appeared in this
listing (rank, upvotes, ...); the store splits them into `papers` and
`sightings` rows. Keeping them together means a parser never has to know the
schema, and the store never has to know a source format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, make_dataclass
from types import MappingProxyType
from typing import Any

from pipeline.columns import Derived, read_fields


class ParseError(Exception):
    """Raised by a parser when bytes are not the listing they claim to be.

    The message is one line and says what is missing ("no DailyPapers data
    found: layout change?"), because it ends up in the run ledger and on the
    terminal as is.
    """


@dataclass(frozen=True, slots=True)
class MeshHeading:
    """One MeSH descriptor of a PubMed record: `major` when the descriptor or
    one of its qualifiers is marked a major topic (PubMed's asterisk)."""

    name: str
    ui: str  # D008279
    major: bool = False


@dataclass(slots=True)
class PaperRecord:
    """One paper as one listing showed it.

    Text fields are already cleaned (whitespace collapsed, entities decoded) but
    otherwise as the source wrote them: LaTeX is kept, since tagging works on a
    de-TeXed copy and people want the original.
    Dates are ISO 8601 strings: `published_at` a UTC timestamp
    (`2024-07-31T17:59:30Z`) or a day (`2024-07-31`) when that is all the
    source gives; `listing_date` always a day.
    """

    title: str
    arxiv_id: str | None = None  # "2408.00714" or "hep-ex/0307015", never versioned
    arxiv_version: int | None = None
    doi: str | None = None  # lower-case, no "doi:" or URL prefix
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    published_at: str | None = None
    hf_url: str | None = None
    arxiv_url: str | None = None
    pdf_url: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    organization: str | None = None
    ai_keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # How the paper appeared in this listing (the sighting).
    listing_date: str | None = None
    rank: int | None = None  # 1-based position on the page
    upvotes: int | None = None
    comments: int | None = None
    submitter: str | None = None
    announce_type: str | None = None  # arXiv: new, cross, replace, replace-cross
    # Added for non-HF sources. A replacement is an old paper in a new version,
    # so its announcement must not overwrite when the paper first appeared:
    # `published_at` stays the first version's time, `updated_at` this version's.
    updated_at: str | None = None
    # bioRxiv/medRxiv keep one DOI across versions; the version lives here, not
    # in `arxiv_version`, so that an arXiv id and a DOI never share a counter.
    preprint_version: int | None = None
    # Landing page for papers that have no arXiv/HF page (journal feeds, bioRxiv).
    url: str | None = None
    # The journal version's DOI when a preprint server links it (bioRxiv API
    # `published`): a second identifier of the same paper, not a different one.
    published_doi: str | None = None
    # Bibliographic databases (PubMed, Crossref). PMID and PMCID are identifiers
    # of their own schemes; MeSH, keywords and publication types are kept so
    # that rules can read them, not only the title and abstract.
    pmid: str | None = None  # "27797938", ASCII digits only
    pmcid: str | None = None  # "PMC11798830"
    journal: str | None = None  # container title: "Radiology", "Medical image analysis"
    journal_abbrev: str | None = None  # ISO abbreviation: "Pediatr Res"
    issns: tuple[str, ...] = ()
    work_type: str | None = None  # Crossref `type`: journal-article, posted-content, ...
    keywords: tuple[str, ...] = ()  # author keywords
    orcids: tuple[tuple[str, str], ...] = ()  # (author name, ORCID iD "0000-0002-1930-9265")
    mesh: tuple[MeshHeading, ...] = ()
    publication_types: tuple[str, ...] = ()  # PubMed: "Journal Article", "Systematic Review"
    # Links to other versions of the work: ("has-preprint", "doi", "10.1101/..."),
    # ("is-preprint-of", "doi", ...). Joined to one paper by `store.identity`.
    relations: tuple[tuple[str, str, str], ...] = ()
    # What a reader needs to decide, as the source states it: arXiv's free-text
    # comment ("Accepted at MICCAI 2025. Code: https://github.com/...") and its
    # journal reference. `pipeline.reader_facts` turns them into a venue and a code link.
    arxiv_comment: str | None = None
    journal_ref: str | None = None
    # The listing names no day of its own (a search): `listing_date` is the day it
    # was read, which says nothing about when the paper appeared, so it never
    # makes the paper new (`papers.first_listed_at`).
    listed_undated: bool = False


@dataclass(slots=True)
class Listing:
    """What one parse of one response produced.

    `kind` names the shape of listing ("daily", "search", "week", "month",
    "feed", ...) so that an ad-hoc ingest of a URL or file can be filed under
    a sensible source name. `listing_date` is the day the page itself says it
    lists (None for undated listings such as search results); comparing it
    with the requested day is how we avoid filing the wrong day's papers.
    """

    kind: str
    entries: list[PaperRecord] = field(default_factory=list)
    listing_date: str | None = None
    format: str = ""  # which parser produced it, e.g. "hf-html", "hf-api"
    notes: list[str] = field(default_factory=list)  # non-fatal oddities worth logging
    # The source itself says there is nothing (arXiv API totalResults 0, OAI
    # noRecordsMatch, "no posts found"): an honest empty answer, not a broken page.
    confirmed_empty: bool = False


def _paper_from_row(cls, row: Mapping[str, Any]) -> Paper:
    """From a row of `pipeline.store.reading` (lists as lists, tags and matched words attached)."""
    values = {name: row[name] for name in cls.__dataclass_fields__ if name in row}
    for name, kind in cls.__annotations__.items():
        if name in values and getattr(kind, "__origin__", None) is tuple:
            values[name] = tuple(values[name] or ())
    values["matched"] = MappingProxyType(dict(values.get("matched") or {}))
    return cls(**values)


def _paper_as_dict(self: Paper) -> dict[str, Any]:
    """Plain values (lists, a dict), as JSON or a DataFrame row wants them."""
    out = {name: getattr(self, name) for name in self.__dataclass_fields__}
    return {name: list(value) if isinstance(value, tuple) else dict(value) if isinstance(value, Mapping) else value
            for name, value in out.items()}


def _paper_fields() -> list[tuple]:
    """`Paper`'s fields from `pipeline.columns`: required up to the title, then defaults."""
    made: list[tuple] = []
    required = True
    for read in read_fields():
        if required:
            made.append((read.name, read.read_type))
            required = read.name != "title"
        elif isinstance(read, Derived) and read.default is not None:
            made.append((read.name, read.read_type, field(default=read.default)))
        elif read.read_type is dict:
            made.append((read.name, Mapping[str, str], field(default_factory=lambda: MappingProxyType({}))))
        else:
            made.append((read.name, read.read_type, field(default=None)))
    return made


Paper = make_dataclass("Paper", _paper_fields(), frozen=True, slots=True, namespace={
    "__doc__": """One stored paper as a reader gets it back (`Feed.papers`, `Feed.search`).

    Its fields are `pipeline.columns`' read fields. Lists are tuples and
    `matched` (tag -> the words behind it) is read-only, so a Paper can be
    kept, compared and handed around without anyone changing it underneath.
    `sources` are the sources that listed it, `upvotes` its highest Hugging
    Face count, `score` the search rank (bm25, lower is better; None outside
    a search).
    """,
    "from_row": classmethod(_paper_from_row),
    "as_dict": _paper_as_dict,
})
Paper.__module__ = __name__  # make_dataclass names its caller's module only from Python 3.12


@dataclass(frozen=True, slots=True)
class RunRow:
    """How a run closed, as the store writes it into its `runs` row.

    The run code builds one and hands it over; the store turns it into the
    UPDATE. A field left None leaves the column as `start_run` wrote it (the
    source and target, the listing day of a one-response day), so a row
    says only what this run learnt.
    """

    status: str
    source: str | None = None
    target: str | None = None
    http_status: int | None = None
    bytes: int | None = None
    duration_s: float | None = None
    entries_parsed: int | None = None
    papers_new: int | None = None
    papers_updated: int | None = None
    papers_tagged: int | None = None
    error: str | None = None
    listing_date: str | None = None

    def columns(self) -> dict[str, Any]:
        """The columns this row sets, by name."""
        return {name: value for name in self.__slots__ if (value := getattr(self, name)) is not None}
