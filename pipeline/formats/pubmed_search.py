"""E-utilities `esearch` answers: how many PMIDs match, and where the history server keeps them.

Not a listing (it holds ids, not papers), so it is not one of the sniffed
formats: the `pubmed` kind reads it to know how many `efetch` pages follow.
`Count` 0 is a genuine empty answer (a quiet Entrez day) even when the
answer also carries `PhraseNotFound` for a term; an `<ERROR>` element, or
an `ErrorList` with `Count` missing, is NCBI refusing the query, and the
ParseError carries NCBI's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.model import ParseError

from .xmltree import child, child_text, children, local, parse_xml, text_of

_COUNT_RE = re.compile(r"[0-9]+", re.ASCII)


@dataclass(frozen=True)
class SearchResult:
    count: int
    ids: tuple[str, ...]
    web_env: str | None
    query_key: str | None
    warnings: tuple[str, ...] = ()


def parse_search(raw: bytes) -> SearchResult:
    root = parse_xml(raw, "PubMed esearch")
    # The E-utilities error envelope: <ERROR> as the root or inside any result element.
    envelope = text_of(root) if local(root.tag) == "ERROR" else child_text(root, "ERROR")
    if envelope:
        raise ParseError(f"PubMed esearch error: {envelope}")
    if local(root.tag) != "eSearchResult":
        raise ParseError(f"PubMed esearch: root element <{local(root.tag)}>, not eSearchResult")
    count_text = child_text(root, "Count")
    problems = [f"{local(e.tag)}: {text_of(e)}" for e in children(child(root, "ErrorList"))]
    if not _COUNT_RE.fullmatch(count_text):
        reason = "; ".join(problems) or "no Count in the answer"
        raise ParseError(f"PubMed esearch error: {reason}")
    warnings = tuple(f"{local(e.tag)}: {text_of(e)}" for e in children(child(root, "WarningList")))
    ids = tuple(text_of(i) for i in children(child(root, "IdList"), "Id") if _COUNT_RE.fullmatch(text_of(i)))
    return SearchResult(
        count=int(count_text),
        ids=ids,
        web_env=child_text(root, "WebEnv") or None,
        query_key=child_text(root, "QueryKey") or None,
        warnings=tuple(problems) + warnings,
    )
