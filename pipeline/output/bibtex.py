"""`export --format bibtex`: one entry per paper, written with bibtexparser 2.

arXiv preprints are `@misc` with `eprint`, `archivePrefix = {arXiv}` and
`primaryClass` (what biblatex and natbib styles print as arXiv:2410.99001
[eess.IV]); papers with a journal are `@article`. Text the source wrote in
LaTeX (a `$` or a backslash) is kept as LaTeX; other text has BibTeX's
special characters escaped. Entries are written one at a time, so an export
of any size runs in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from pipeline.output.exports import ExportOptions, register
from pipeline.output.citation import Reference, reference

_SPECIAL = {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_"}
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def bibtex_text(text: str) -> str:
    """LaTeX as written; plain text with & % # _ escaped; braces dropped unless they balance."""
    if not ("$" in text or "\\" in text):
        text = "".join(_SPECIAL.get(char, char) for char in text)
    return text if _balanced(text) else text.replace("{", "").replace("}", "")


def entry_fields(ref: Reference) -> list[tuple[str, str]]:
    fields = [("title", bibtex_text(ref.title))]
    if ref.authors:
        fields.append(("author", " and ".join(bibtex_text(name.inverted) for name in ref.authors)))
    if ref.year:
        fields.append(("year", ref.year))
    if ref.month and ref.month.isdigit() and 1 <= int(ref.month) <= 12:
        fields.append(("month", _MONTHS[int(ref.month) - 1]))
    if ref.kind == "article" and ref.journal:
        fields.append(("journal", bibtex_text(ref.journal)))
    if ref.arxiv_id:
        fields += [("eprint", ref.arxiv_id), ("archivePrefix", "arXiv")]
        if ref.primary_class:
            fields.append(("primaryClass", ref.primary_class))
    if ref.doi:
        fields.append(("doi", ref.doi))
    if ref.url:
        fields.append(("url", ref.url))
    if ref.venue and ref.venue != ref.journal:
        fields.append(("note", bibtex_text(ref.venue)))
    if ref.tags:
        fields.append(("keywords", bibtex_text(", ".join(ref.tags))))
    if ref.abstract:
        fields.append(("abstract", bibtex_text(ref.abstract)))
    return fields


@register("bibtex", "BibTeX entries, one per paper")
def write_bibtex(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    import bibtexparser
    from bibtexparser.model import Entry, Field

    count = 0
    for paper in papers:
        ref = reference(paper)
        library = bibtexparser.Library()
        library.add(Entry("misc" if ref.kind == "preprint" else "article", ref.key,
                          [Field(name, value) for name, value in entry_fields(ref)]))
        out.write(("\n" if count else "") + bibtexparser.write_string(library))
        count += 1
    return count
