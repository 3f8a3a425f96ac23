"""The daily digest: tagged papers of a period, grouped by imaging modality.

A paper with two modalities (an MRI and CT study) is listed under both, so a
reader who only follows CT still sees it; papers with no `modality:` tag go
under "Other", last. Each entry says why it is there: the words that made
each tag fire, from `effective_tags.matched` (a label shows who set it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.output.escape import html_link, html_text, markdown_link, markdown_text
from pipeline.output.formats import HTML_HEAD, authors_line, link_of

MODALITY_PREFIX = "modality:"
OTHER = "Other"


@dataclass
class Digest:
    tag: str
    since: str
    until: str | None = None
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    total: int = 0

    @property
    def period(self) -> str:
        return f"{self.since} to {self.until}" if self.until else f"since {self.since}"

    @property
    def subject(self) -> str:
        plural = "paper" if self.total == 1 else "papers"
        return f"paperfeed digest: {self.total} {self.tag} {plural} {self.period}"


def modality_label(name: str) -> str:
    """`mri` -> `MRI`, `ultrasound` -> `Ultrasound`: short names are acronyms."""
    return name.upper() if len(name) <= 4 else name[:1].upper() + name[1:]


def build_digest(papers: Iterable[dict[str, Any]], *, tag: str, since: str, until: str | None = None) -> Digest:
    digest = Digest(tag=tag, since=since, until=until)
    groups: dict[str, list[dict[str, Any]]] = {}
    for paper in papers:
        digest.total += 1
        modalities = [t[len(MODALITY_PREFIX):] for t in paper.get("tags") or [] if t.startswith(MODALITY_PREFIX)]
        for name in [modality_label(m) for m in modalities] or [OTHER]:
            groups.setdefault(name, []).append(paper)
    for members in groups.values():
        members.sort(key=lambda p: (-(p.get("upvotes") or 0), p["title"].lower()))
    # Largest group first, Other always last.
    order = sorted(groups, key=lambda name: (name == OTHER, -len(groups[name]), name.lower()))
    digest.groups = {name: groups[name] for name in order}
    return digest


def _why(paper: dict[str, Any]) -> list[tuple[str, str]]:
    return [(tag, words) for tag, words in (paper.get("matched") or {}).items() if words]


def _links(paper: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, paper[key]) for name, key in
            (("Hugging Face", "hf_url"), ("arXiv", "arxiv_url"), ("PDF", "pdf_url"), ("code", "github_repo"))
            if paper.get(key)]


def render_markdown(digest: Digest) -> str:
    lines = [f"# {markdown_text(digest.subject)}", ""]
    if not digest.total:
        lines += ["No papers in this period.", ""]
    for name, members in digest.groups.items():
        lines += [f"## {markdown_text(name)} ({len(members)})", ""]
        for paper in members:
            upvotes = f" · {paper['upvotes']} upvotes" if paper.get("upvotes") is not None else ""
            lines.append(f"- **{markdown_link(paper['title'], link_of(paper))}**{upvotes}")
            lines.append(f"  {markdown_text(authors_line(paper.get('authors') or []))}")
            links = " · ".join(markdown_link(label, url) for label, url in _links(paper))
            if links:
                lines.append(f"  {links}")
            why = "; ".join(f"{markdown_text(tag)}: {markdown_text(words)}" for tag, words in _why(paper))
            if why:
                lines.append(f"  matched: {why}")
        lines.append("")
    return "\n".join(lines)


def render_html(digest: Digest) -> str:
    parts = [HTML_HEAD.format(title=html_text(digest.subject))]
    if not digest.total:
        parts.append("<p>No papers in this period.</p>\n")
    for name, members in digest.groups.items():
        parts.append(f"<h2>{html_text(name)} ({len(members)})</h2>\n<ul>\n")
        for paper in members:
            upvotes = f" · {int(paper['upvotes'])} upvotes" if paper.get("upvotes") is not None else ""
            links = " · ".join(html_link(label, url) for label, url in _links(paper))
            why = "; ".join(f"<b>{html_text(tag)}</b>: {html_text(words)}" for tag, words in _why(paper))
            parts.append(
                f"<li><strong>{html_link(paper['title'], link_of(paper))}</strong>{upvotes}<br>\n"
                f'<span class="meta">{html_text(authors_line(paper.get("authors") or []))}</span><br>\n'
                f'<span class="meta">{links}</span>'
                + (f'<br>\n<span class="tags">matched: {why}</span>' if why else "")
                + "</li>\n"
            )
        parts.append("</ul>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)
