"""Big listings made of real entries, for the ingest benchmarks.

The saved Hugging Face API items and arXiv Atom entries in `fixtures/` are
cycled and renumbered to distinct arXiv ids, so every entry is a different
paper with a real title, abstract and author list. The bytes are built once
per size and kept in memory; `write_listings` saves them where a run can read
them as files, the way `paperfeed ingest FILE` does.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HF_FILES = [
    ROOT / "fixtures/hf/hf_api_daily_papers_2024-10-25_deep-diver_first4.json",
    ROOT / "fixtures/hf/hf_papers_daily_2024-08-01_DailyPapers_data-props.unescaped.json",
]
ARXIV_ATOM = ROOT / "fixtures/arxiv/rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml"
HF_DAY = "2024-10-25"
_ENTRY = re.compile(rb"<entry>.*?</entry>", re.DOTALL)
_ATOM_ID = re.compile(rb"oai:arXiv\.org:(\d{4}\.\d{4,5})v\d+")


def _new_id(prefix: str, n: int) -> str:
    # Five-digit numbers exist from 2015 on; each prefix is a month no fixture uses.
    return f"{prefix}.{10000 + n:05d}"


def _hf_items() -> list[dict]:
    items: list[dict] = []
    for path in HF_FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        items += data["dailyPapers"] if isinstance(data, dict) else data
    return items


def hf_listing(entries: int) -> bytes:
    """A Hugging Face `/api/daily_papers` answer of `entries` real items, all on one day."""
    out = []
    for n, item in enumerate(islice(cycle(_hf_items()), entries)):
        text = json.dumps(item, ensure_ascii=False).replace(item["paper"]["id"], _new_id("2401", n))
        renumbered = json.loads(text)
        renumbered["publishedAt"] = f"{HF_DAY}T00:57:09.392Z"
        out.append(renumbered)
    return json.dumps(out, ensure_ascii=False).encode("utf-8")


def arxiv_listing(entries: int) -> bytes:
    """An arXiv announcement feed (Atom) of `entries` real entries."""
    raw = ARXIV_ATOM.read_bytes()
    found = [m for m in _ENTRY.finditer(raw) if _ATOM_ID.search(m.group())]
    head, tail = raw[: found[0].start()], b"\n</feed>\n"
    body = []
    for n, match in enumerate(islice(cycle(found), entries)):
        entry = match.group()
        old = _ATOM_ID.search(entry).group(1)
        body.append(entry.replace(old, _new_id("2402", n).encode()))
    return head + b"\n  ".join(body) + tail


@lru_cache(maxsize=4)
def listings(papers: int) -> tuple[tuple[str, bytes], ...]:
    """(file name, bytes) of the benchmark's listings: half Hugging Face, half arXiv."""
    return (("hf_api_daily.json", hf_listing(papers // 2)), ("arxiv_atom.xml", arxiv_listing(papers - papers // 2)))


def write_listings(papers: int, folder: Path) -> list[Path]:
    paths = []
    for name, data in listings(papers):
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths
