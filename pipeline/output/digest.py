"""The daily digest: tagged papers of a period, grouped by imaging modality.

A paper with two modalities (an MRI and CT study) is listed under both, so a
reader who only follows CT still sees it; papers with no `modality:` tag go
under "Other", last. Each entry says why it is there: the words that made
each tag fire, from `effective_tags.matched` (a label shows who set it); and
what a reader needs to decide: authors (shortened), venue, code link, titles
with their LaTeX rendered.

A digest may show fewer papers than it covers (a mail has a size limit):
`more` counts the rest and `more_link` points at the full list. `notices`
are things the reader must know about the digest itself, such as a source
that failed last night: "no new papers" and "the arXiv source failed" are
different messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.output.escape import html_link, html_text, markdown_link, markdown_text
from pipeline.output.formats import HTML_HEAD, link_of
from pipeline.output.latex_text import readable

MODALITY_PREFIX = "modality:"
OTHER = "Other"
AUTHORS_SHOWN = 3


@dataclass
class Digest:
    tag: str
    since: str
    until: str | None = None
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    total: int = 0  # papers the digest covers, shown or not
    more: int = 0  # papers covered but not shown
    more_link: str | None = None
    heading: str | None = None  # a subscription's name instead of the tag
    notices: tuple[str, ...] = ()

    @property
    def period(self) -> str:
        return f"{self.since} to {self.until}" if self.until else f"since {self.since}"

    @property
    def subject(self) -> str:
        plural = "paper" if self.total == 1 else "papers"
        if self.heading:
            trouble = " (sources late or failed)" if self.notices else ""
            return f"{self.heading}: {self.total or 'no'} new {plural} {self.period}{trouble}"
        return f"paperfeed digest: {self.total} {self.tag} {plural} {self.period}"

    @property
    def empty_text(self) -> str:
        if self.heading:
            return "No new papers in this period." + (" The sources below were late or failed, so some may"
                                                      " still come." if self.notices else "")
        return "No papers in this period."


def modality_label(name: str) -> str:
    """`mri` -> `MRI`, `ultrasound` -> `Ultrasound`: short names are acronyms."""
    return name.upper() if len(name) <= 4 else name[:1].upper() + name[1:]


def short_authors(authors: list[str]) -> str:
    """`Ana Ruiz, Bo Chen, Carl Ode et al. (7)`: enough to recognise a group, short enough for a phone."""
    if len(authors) <= AUTHORS_SHOWN + 1:
        return ", ".join(authors)
    return ", ".join(authors[:AUTHORS_SHOWN]) + f" et al. ({len(authors)})"


def build_digest(papers: Iterable[dict[str, Any]], *, tag: str, since: str, until: str | None = None,
                 shown: int | None = None, heading: str | None = None, notices: Iterable[str] = (),
                 more_link: str | None = None) -> Digest:
    """Group `papers`; with `shown`, only the first that many appear and the rest are counted in `more`."""
    digest = Digest(tag=tag, since=since, until=until, heading=heading, notices=tuple(notices), more_link=more_link)
    groups: dict[str, list[dict[str, Any]]] = {}
    for paper in papers:
        digest.total += 1
        if shown is not None and digest.total > shown:
            digest.more += 1
            continue
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
            (("Hugging Face", "hf_url"), ("arXiv", "arxiv_url"), ("PDF", "pdf_url"), ("code", "code_url"))
            if paper.get(key)]


def _more_line(digest: Digest) -> str | None:
    if not digest.more:
        return None
    return f"{digest.more} more {'paper' if digest.more == 1 else 'papers'} not shown here"


def render_markdown(digest: Digest) -> str:
    lines = [f"# {markdown_text(digest.subject)}", ""]
    for notice in digest.notices:
        lines += [f"> **Warning:** {markdown_text(notice)}", ""]
    if not digest.total:
        lines += [digest.empty_text, ""]
    for name, members in digest.groups.items():
        lines += [f"## {markdown_text(name)} ({len(members)})", ""]
        for paper in members:
            upvotes = f" · {paper['upvotes']} upvotes" if paper.get("upvotes") is not None else ""
            lines.append(f"- **{markdown_link(readable(paper['title']), link_of(paper))}**{upvotes}")
            who = markdown_text(short_authors(paper.get("authors") or []))
            venue = f" · *{markdown_text(paper['venue'])}*" if paper.get("venue") else ""
            lines.append(f"  {who}{venue}")
            links = " · ".join(markdown_link(label, url) for label, url in _links(paper))
            if links:
                lines.append(f"  {links}")
            why = "; ".join(f"{markdown_text(tag)}: {markdown_text(words)}" for tag, words in _why(paper))
            if why:
                lines.append(f"  matched: {why}")
        lines.append("")
    if more := _more_line(digest):
        lines += [f"**{more}**: {markdown_link('the full list', digest.more_link)}" if digest.more_link
                  else f"**{more}.**", ""]
    return "\n".join(lines)


def render_html(digest: Digest) -> str:
    parts = [HTML_HEAD.format(title=html_text(digest.subject))]
    for notice in digest.notices:
        parts.append(f'<p class="notice"><strong>Warning:</strong> {html_text(notice)}</p>\n')
    if not digest.total:
        parts.append(f"<p>{html_text(digest.empty_text)}</p>\n")
    for name, members in digest.groups.items():
        parts.append(f"<h2>{html_text(name)} ({len(members)})</h2>\n<ul>\n")
        for paper in members:
            upvotes = f" · {int(paper['upvotes'])} upvotes" if paper.get("upvotes") is not None else ""
            links = " · ".join(html_link(label, url) for label, url in _links(paper))
            why = "; ".join(f"<b>{html_text(tag)}</b>: {html_text(words)}" for tag, words in _why(paper))
            venue = f" · <i>{html_text(paper['venue'])}</i>" if paper.get("venue") else ""
            parts.append(
                f"<li><strong>{html_link(readable(paper['title']), link_of(paper))}</strong>{upvotes}<br>\n"
                f'<span class="meta">{html_text(short_authors(paper.get("authors") or []))}{venue}</span><br>\n'
                f'<span class="meta">{links}</span>'
                + (f'<br>\n<span class="tags">matched: {why}</span>' if why else "")
                + "</li>\n"
            )
        parts.append("</ul>\n")
    if more := _more_line(digest):
        link = f": {html_link('the full list', digest.more_link)}" if digest.more_link else "."
        parts.append(f"<p><strong>{html_text(more)}</strong>{link}</p>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def render_chat(digest: Digest, limit: int = 10) -> tuple[str, str]:
    """A chat notification (title, Markdown body): a short list with links, most upvoted first."""
    papers: dict[str, dict[str, Any]] = {}
    for members in digest.groups.values():
        for paper in members:
            papers.setdefault(paper["id"], paper)
    ranked = sorted(papers.values(), key=lambda p: (-(p.get("upvotes") or 0), p["title"].lower()))
    lines = [f"⚠ {markdown_text(notice)}" for notice in digest.notices]
    if not digest.total:
        lines.append(digest.empty_text)
    for paper in ranked[:limit]:
        code = f" · {markdown_link('code', paper['code_url'])}" if paper.get("code_url") else ""
        venue = f" · {markdown_text(paper['venue'])}" if paper.get("venue") else ""
        lines.append(f"- {markdown_link(readable(paper['title']), link_of(paper))}{venue}{code}")
    rest = digest.total - min(limit, len(ranked))
    if rest > 0:
        tail = f" ({digest.more_link})" if digest.more_link else ""
        lines.append(f"… and {rest} more{tail}")
    return digest.subject, "\n".join(lines)
