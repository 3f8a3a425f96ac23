"""Where a paper's code is and where it was published, from what its sources say.

A reader deciding whether to open a paper asks two things the listing often
answers only in free text: is there code (Hugging Face's `githubRepo`, or a
GitHub/GitLab/Hugging Face URL in the abstract or arXiv's comment), and was it
accepted somewhere ("Accepted at MICCAI 2025" in the comment, arXiv's
`journal_ref`, the journal of a DOI record). Pure functions on a record.
"""

from __future__ import annotations

import re

from pipeline.model import PaperRecord

# A repository page: github.com/owner/repo, gitlab.com/group/.../project, huggingface.co/[spaces|datasets/]owner/name.
_CODE_URL = re.compile(
    r"https?://(?:www\.)?(?:"
    r"github\.com/[\w.-]+/[\w.-]+"
    r"|gitlab\.com/[\w.-]+(?:/[\w.-]+)+"
    r"|huggingface\.co/(?:spaces/|datasets/)?(?!papers/|docs/|blog/)[\w.-]+/[\w.-]+"
    r")",
    re.IGNORECASE,
)
# "Accepted at MICCAI 2025", "accepted for publication in IEEE TMI", "To appear in CVPR 2026 (oral)".
_VENUE = re.compile(
    r"\b(?:early[- ])?(?:accepted|to appear|published|presented)"
    r"(?:\s+(?:as\s+an?\s+\w+(?:\s+paper)?|for\s+(?:publication|presentation)))?"
    r"\s+(?:at|in|to|by)\s+(?:the\s+)?(?P<venue>[^.;,()\n]{3,80})",
    re.IGNORECASE,
)
_TRAILING = ".,;:)]}>'\""
_NOT_A_VENUE = re.compile(r"^(?:a|an|this|our|journal|conference|review)\b", re.IGNORECASE)


def code_url(record: PaperRecord) -> str | None:
    """The listing's own code link, else the first repository URL in the comment or abstract."""
    if record.github_repo:
        return record.github_repo
    for text in (record.arxiv_comment, record.abstract):
        for match in _CODE_URL.finditer(text or ""):
            url = match.group(0).rstrip(_TRAILING)
            url = url[:-4] if url.lower().endswith(".git") else url
            return url
    return None


def venue(record: PaperRecord) -> str | None:
    """arXiv's journal reference, else the journal of a journal record, else what the comment says it was accepted at."""
    if record.journal_ref and record.journal_ref.strip():
        return " ".join(record.journal_ref.split())
    if record.journal and record.work_type != "posted-content":
        return record.journal
    return accepted_at(record.arxiv_comment)


def accepted_at(comment: str | None) -> str | None:
    """`Accepted at MICCAI 2025 (oral)` -> `MICCAI 2025`; None when the comment names no venue."""
    match = _VENUE.search(comment or "")
    if match is None:
        return None
    name = " ".join(match.group("venue").split()).strip(_TRAILING + " ")
    if len(name) < 3 or _NOT_A_VENUE.match(name):
        return None
    return name
