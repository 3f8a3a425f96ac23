"""The direct lxml reader of arXiv's feeds gives the records feedparser's path gives, field for field.

Every fixture that is an arXiv announcement feed is read both ways; so are
two Atom documents made from real entries: the 87-entry Atom fixture closed
after its last complete entry (upstream cut it off mid-entry, which sends the
file itself to feedparser), and a 300-entry feed cycling those entries under
new ids. Memory is measured in a child process on a generated 50,000-entry
feed read entry by entry.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from pipeline.model import ParseError
from pipeline.formats import arxiv_feed, arxiv_feed_xml, detect

ATOM_87 = FIXTURES / "arxiv" / "rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml"
_ENTRY = re.compile(rb"<entry>.*?</entry>", re.DOTALL)


def arxiv_feed_fixtures() -> list[Path]:
    found = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file():
            try:
                if detect(path.read_bytes()) is arxiv_feed:
                    found.append(path)
            except Exception:  # noqa: BLE001 - not a listing at all
                continue
    return found


def closed_atom(entries: int | None = None) -> bytes:
    """The 87-entry Atom fixture ended after its last complete entry; `entries` cycles them under new ids."""
    raw = ATOM_87.read_bytes()
    found = list(_ENTRY.finditer(raw))
    head = raw[: found[0].start()]
    if entries is None:
        return raw[: found[-1].end()] + b"\n</feed>\n"
    body = []
    for n in range(entries):
        entry = found[n % len(found)].group()
        old = re.search(rb"oai:arXiv\.org:(\d{4}\.\d{4,5})v", entry).group(1)
        body.append(entry.replace(old, f"2402.{10000 + n:05d}".encode()))
    return head + b"\n".join(body) + b"\n</feed>\n"


def documents() -> list[tuple[str, bytes]]:
    docs = [(path.name, path.read_bytes()) for path in arxiv_feed_fixtures()]
    return docs + [("atom-87-closed", closed_atom()), ("atom-300-generated", closed_atom(300))]


def parsed(raw: bytes, direct: bool):
    """The listing, or the ParseError's message (a cut-off fragment fails either way, with the same words)."""
    try:
        return arxiv_feed.parse(raw, direct=direct)
    except ParseError as exc:
        return str(exc)


def test_the_fixtures_cover_every_arxiv_feed_format():
    formats = {listing.format for _, raw in documents() if not isinstance(listing := parsed(raw, True), str)}
    assert formats == {"arxiv-rss", "arxiv-atom", "arxiv-rdf"}


@pytest.mark.parametrize("name,raw", documents(), ids=[name for name, _ in documents()])
def test_direct_and_feedparser_records_are_identical(name, raw):
    direct, generic = parsed(raw, True), parsed(raw, False)
    if isinstance(generic, str):
        assert direct == generic
        return
    assert len(direct.entries) == len(generic.entries)
    for mine, theirs in zip(direct.entries, generic.entries):
        for field in dataclasses.fields(mine):
            assert getattr(mine, field.name) == getattr(theirs, field.name), (name, mine.arxiv_id, field.name)
    for attribute in ("kind", "format", "listing_date", "notes", "confirmed_empty"):
        assert getattr(direct, attribute) == getattr(generic, attribute), (name, attribute)


def test_well_formed_feeds_are_read_by_lxml_and_cut_off_ones_by_feedparser():
    read_directly = {name: arxiv_feed_xml.load(raw) is not None for name, raw in documents()}
    assert read_directly["atom-87-closed"] and read_directly["handmade_rss_edge-cases.xml"]
    assert read_directly["physbiblio_export-rss_hep-ex_2018-05-23.rdf.xml"]
    assert not read_directly[ATOM_87.name]  # cut off mid-entry upstream
    assert not read_directly["rss_cs.CV_2025-09-22_channel+first-item_TRUNCATED.xml.fragment"]


def test_markup_inside_a_text_field_is_left_to_feedparser():
    raw = (FIXTURES / "arxiv" / "handmade_rss_edge-cases.xml").read_bytes()
    with_markup = raw.replace(b"<title>Knots from 2003</title>", b"<title>Knots from <b>2003</b></title>")
    assert arxiv_feed_xml.load(with_markup) is None
    # feedparser keeps the inner markup as text; the direct reader does not guess how.
    assert arxiv_feed.parse(with_markup).entries[2].title == "Knots from <b>2003</b>"


def test_an_api_result_page_is_refused_by_either_reader():
    raw = (FIXTURES / "arxiv" / "arxiv-docs_api_user-manual_typical-response_all-electron_2007.xml").read_bytes()
    for direct in (True, False):
        with pytest.raises(ParseError, match="API result page"):
            arxiv_feed.parse(raw, direct=direct)


_CHILD = r"""
import json, sys
from pipeline.formats import arxiv_feed, arxiv_feed_xml
feed, records = {}, 0
with open(sys.argv[1], "rb") as stream:
    for entry in arxiv_feed_xml.read_entries(stream, feed):
        records += arxiv_feed._current_record(entry, None, None) is not None
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"records": records, "peak_mb": peak_kb / 1024}))
"""


def test_reading_a_50000_entry_feed_entry_by_entry_keeps_memory_bounded(tmp_path):
    big = tmp_path / "atom-50k.xml"
    big.write_bytes(closed_atom(50_000))
    done = subprocess.run([sys.executable, "-c", _CHILD, str(big)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["records"] == 50_000
    # The file is ~100 MB; a tree of it would take several times that. Loose bound: the interpreter plus a few entries.
    assert figures["peak_mb"] < 150, figures
