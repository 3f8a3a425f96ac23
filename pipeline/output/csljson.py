"""`export --format csljson`: CSL-JSON, the citation data Zotero, Pandoc and citeproc read.

A preprint is CSL type `article` (CSL 1.0.2's preprint) published by arXiv
with `number` = `arXiv:2410.99001`; a paper with a journal is
`article-journal` with its `container-title`. Written element by element.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from pipeline.output.exports import ExportOptions, register
from pipeline.output.citation import reference
from pipeline.output.latex_text import readable


def csl_item(paper: dict[str, Any]) -> dict[str, Any]:
    ref = reference(paper)
    item: dict[str, Any] = {"id": ref.key, "type": "article" if ref.kind == "preprint" else "article-journal",
                            "title": readable(ref.title)}
    if ref.authors:
        item["author"] = [{"family": n.family, "given": n.given} if n.given else {"literal": n.family}
                          for n in ref.authors]
    parts = [int(p) for p in (ref.year, ref.month, ref.day) if p and p.isdigit()]
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if ref.kind == "article" and ref.journal:
        item["container-title"] = ref.journal
    if ref.arxiv_id:
        item.update({"publisher": "arXiv", "number": f"arXiv:{ref.arxiv_id}"})
    if ref.doi:
        item["DOI"] = ref.doi
    if ref.url:
        item["URL"] = ref.url
    if ref.venue and ref.venue != ref.journal:
        item["note"] = ref.venue
    if ref.tags:
        item["keyword"] = ", ".join(ref.tags)
    if ref.abstract:
        item["abstract"] = ref.abstract
    return item


@register("csljson", "CSL-JSON items (Zotero, Pandoc)")
def write_csljson(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    count = 0
    out.write("[")
    for paper in papers:
        out.write(("," if count else "") + "\n  " + json.dumps(csl_item(paper), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
