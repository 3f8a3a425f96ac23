"""Flat exports of papers: CSV, JSON, JSON Lines, Markdown, HTML and the terminal table.

Each writer takes papers one at a time (dicts from `pipeline.store.reading`)
and writes them as they come, so an export of any size runs in constant
memory. Each returns how many papers it wrote. All share the signature of
`pipeline.output.exports` and register there by name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, TextIO

from pipeline.columns import csv_columns
from pipeline.output.escape import html_link, html_text, markdown_link, markdown_text, terminal_text
from pipeline.output.exports import ExportOptions, register

CSV_COLUMNS = csv_columns()  # declared in pipeline.columns
MAX_AUTHORS_SHOWN = 5
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def link_of(paper: dict[str, Any]) -> str | None:
    """Where a reader should land: the Hugging Face page, else arXiv, else the PDF."""
    return paper.get("hf_url") or paper.get("arxiv_url") or paper.get("pdf_url")


def authors_line(authors: list[str]) -> str:
    shown = ", ".join(authors[:MAX_AUTHORS_SHOWN])
    return shown + (f" and {len(authors) - MAX_AUTHORS_SHOWN} more" if len(authors) > MAX_AUTHORS_SHOWN else "")


def csv_cell(value: Any) -> Any:
    """A value a spreadsheet shows as text: a string that would start a formula gets a leading quote.

    Excel, LibreOffice and Google Sheets run a cell starting with `=`, `+`,
    `-`, `@`, tab or CR as a formula (`=HYPERLINK(...)` in a title is enough
    to exfiltrate a sheet); OWASP's rule is a leading `'`, which they show
    as plain text. Numbers stay numbers. A CR inside a cell becomes a
    newline: the writer quotes newlines but not a lone CR, which would end
    the row early for most readers.
    """
    if isinstance(value, list):
        value = "; ".join(value)
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


@register("csv", "one row per paper, lists joined with '; ', formulas neutralised (csv_cell)")
def write_csv(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    """One row per paper; lists (authors, sources, tags) joined with '; '; formulas neutralised (csv_cell)."""
    writer = csv.writer(out, lineterminator="\n")
    columns = (*options.columns, *CSV_COLUMNS)
    writer.writerow(columns)
    count = 0
    for paper in papers:
        writer.writerow([csv_cell(paper.get(c)) for c in columns])
        count += 1
    return count


@register("jsonl", "JSON Lines: one paper object per line")
def write_jsonl(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    count = 0
    for paper in papers:
        out.write(json.dumps(paper, ensure_ascii=False) + "\n")
        count += 1
    return count


@register("json", "a JSON array of paper objects")
def write_json(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    """A JSON array, written element by element."""
    count = 0
    out.write("[")
    for paper in papers:
        out.write(("," if count else "") + "\n  " + json.dumps(paper, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


@register("markdown", "a Markdown list with links, authors, day and tags")
def write_markdown(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    out.write(f"# {markdown_text(options.title)}\n\n")
    count = 0
    for paper in papers:
        out.write(markdown_paper(paper) + "\n")
        count += 1
    if not count:
        out.write("No papers.\n")
    return count


def markdown_paper(paper: dict[str, Any]) -> str:
    """One paper as a Markdown list item: linked title, then who, when, upvotes and tags."""
    facts = [markdown_text(authors_line(paper.get("authors") or []))]
    facts.append(markdown_text(paper.get("last_seen_at") or ""))
    if paper.get("venue"):
        facts.append(f"*{markdown_text(paper['venue'])}*")
    if paper.get("code_url"):
        facts.append(markdown_link("code", paper["code_url"]))
    if paper.get("upvotes") is not None:
        facts.append(f"{paper['upvotes']} upvotes")
    if paper.get("tags"):
        facts.append(" ".join(f"`{tag.replace('`', '')}`" for tag in paper["tags"]))
    return f"- **{markdown_link(paper['title'], link_of(paper))}**  \n  " + " · ".join(f for f in facts if f)


HTML_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }}
article {{ border-bottom: 1px solid #ddd; padding: 0.6rem 0; }}
.meta, .tags {{ color: #555; font-size: 0.9rem; }}
.tag {{ background: #eef; border-radius: 3px; padding: 0 0.3rem; margin-right: 0.2rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
"""


@register("html", "a standalone HTML page")
def write_html(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    """A standalone page; every stored value is escaped and only http(s) links are linked."""
    out.write(HTML_HEAD.format(title=html_text(options.title)))
    count = 0
    for paper in papers:
        out.write(html_paper(paper))
        count += 1
    if not count:
        out.write("<p>No papers.</p>\n")
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out.write(f'<p class="meta">{count} papers · generated by paperfeed {generated}</p>\n</body>\n</html>\n')
    return count


def html_paper(paper: dict[str, Any], *, heading: str = "h2", extra: str = "") -> str:
    meta = [html_text(authors_line(paper.get("authors") or [])), html_text(paper.get("last_seen_at") or ""),
            f"<i>{html_text(paper['venue'])}</i>" if paper.get("venue") else ""]
    if paper.get("upvotes") is not None:
        meta.append(f"{int(paper['upvotes'])} upvotes")
    links = [html_link(name, paper.get(key)) for name, key in
             (("Hugging Face", "hf_url"), ("arXiv", "arxiv_url"), ("PDF", "pdf_url"),
              ("code", "code_url"), ("project", "project_page")) if paper.get(key)]
    tags = "".join(f'<span class="tag">{html_text(tag)}</span>' for tag in paper.get("tags") or [])
    abstract = f"<p>{html_text(paper['abstract'])}</p>" if paper.get("abstract") else ""
    return (
        f"<article>\n<{heading}>{html_link(paper['title'], link_of(paper))}</{heading}>\n"
        f'<p class="meta">{" · ".join(m for m in meta if m)}</p>\n'
        f'<p class="meta">{" · ".join(links)}</p>\n'
        f'<p class="tags">{tags}</p>\n{extra}{abstract}\n</article>\n'
    )


def _short_id(paper: dict[str, Any]) -> str:
    """arXiv id, else DOI, else the paper key cut to the column (a title key is the whole title)."""
    key = paper.get("arxiv_id") or paper.get("doi") or paper["id"]
    return key if len(key) <= 16 else key[:15] + "…"


def write_table(papers: Iterable[dict[str, Any]], out: TextIO, options: ExportOptions = ExportOptions()) -> int:
    """Two lines per paper for a terminal: id, upvotes, day and title; then its tags, venue and code link."""
    count = 0
    for paper in papers:
        upvotes = "" if paper.get("upvotes") is None else paper["upvotes"]
        out.write(f"{_short_id(paper):<16} {upvotes:>5}  {paper.get('last_seen_at') or '':<10}"
                  f"  {terminal_text(paper['title'])}\n")
        facts = "".join(f" · {label}: {terminal_text(paper[key])}" for label, key in (("venue", "venue"), ("code", "code_url"))
                        if paper.get(key))
        out.write(f"{'':<16} {'':>5}  {'':<10}  tags: {terminal_text(', '.join(paper.get('tags') or [])) or '-'}{facts}\n")
        count += 1
    return count
