"""`export --format ris`: RIS records written with rispy, the format Zotero, EndNote and Mendeley import.

A preprint is `TY - UNPB` with its arXiv id in a note (`arXiv:2410.99001
[eess.IV]`) and its abstract page as `UR`; a paper with a journal is `JOUR`.
Records are written one at a time (constant memory).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from pipeline.output.exports import ExportOptions, register
from pipeline.output.citation import reference
from pipeline.output.latex_text import readable


def ris_record(paper: dict[str, Any]) -> dict[str, Any]:
    ref = reference(paper)
    record: dict[str, Any] = {"type_of_reference": "UNPB" if ref.kind == "preprint" else "JOUR",
                              "id": ref.key, "title": readable(ref.title)}
    if ref.authors:
        record["authors"] = [name.inverted for name in ref.authors]
    if ref.year:
        record["year"] = ref.year
        if ref.month:
            record["date"] = "/".join(p for p in (ref.year, ref.month, ref.day) if p)
    if ref.journal and ref.kind == "article":
        record["journal_name"] = ref.journal
    if ref.doi:
        record["doi"] = ref.doi
    if ref.url:
        record["urls"] = [ref.url] + ([ref.code_url] if ref.code_url else [])
    notes = []
    if ref.arxiv_id:
        notes.append(f"arXiv:{ref.arxiv_id}" + (f" [{ref.primary_class}]" if ref.primary_class else ""))
    if ref.venue and ref.venue != ref.journal:
        notes.append(ref.venue)
    if notes:
        record["notes"] = notes
    if ref.tags:
        record["keywords"] = list(ref.tags)
    if ref.abstract:
        record["abstract"] = ref.abstract
    return record


@register("ris", "RIS records for reference managers")
def write_ris(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    import rispy

    class PlainRisWriter(rispy.RisWriter):
        """RisWriter numbers records ("1.", "2."); readers expect plain RIS."""

        def set_header(self, count: int) -> str:
            return ""

    count = 0
    for paper in papers:
        out.write(rispy.dumps([ris_record(paper)], implementation=PlainRisWriter, enforce_list_tags=False))
        count += 1
    return count
