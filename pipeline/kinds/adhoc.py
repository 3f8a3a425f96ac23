"""A URL or a saved file given on the command line (`paperfeed ingest URL|FILE`).

The format is told from the content, and the run is filed under a source
named after what the listing turned out to be, marked as ad hoc
(`adhoc:hf-daily` for a Hugging Face daily page, `adhoc:<format>` otherwise):
a manual import must never count as a configured source's health in
`paperfeed status`, and `sources.toml` cannot use these names. `--as SOURCE`
files it under a name of the user's choosing instead. Not a configurable
kind: it has no name of its own in `sources.toml`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pipeline.http import HttpSettings
from pipeline.http.result import describe_size
from pipeline.kinds.base import Fetched, Get, Option, Plan, SourceKind, Unit
from pipeline.model import Listing, ParseError
from pipeline.formats import parse_any
from pipeline.formats.dates import plausible_iso

SOURCE = "adhoc"
PREFIX = f"{SOURCE}:"


class Adhoc(SourceKind):
    name = SOURCE
    family = "feed"
    options = {"url": Option(str), "file": Option(str)}

    @classmethod
    def for_url(cls, url: str, http) -> Adhoc:
        return cls(SOURCE, {"url": url}, http)

    raw: bytes | None = None  # what was read from stdin, in place of a file

    @classmethod
    def for_file(cls, path: Path, http) -> Adhoc:
        return cls(SOURCE, {"file": str(path)}, http)

    @classmethod
    def for_bytes(cls, raw: bytes, label: str, http) -> Adhoc:
        """Content already read (stdin), recorded under `label` as its target."""
        kind = cls(SOURCE, {"file": label}, http)
        kind.raw = raw
        return kind

    def plan(self, unit: Unit) -> Plan:
        if self.option("url"):
            return Plan(Unit(), self.option("url"), {"url": self.option("url")})
        return Plan(Unit(), self.option("file"), {"file": self.option("file")})

    def fetch(self, plan: Plan, get: Get) -> Fetched:
        if "url" in plan.request:
            result = get(plan.target, self.http)
            return Fetched(_on_asked_day(_parse_or_fail(result.body, plan.target), plan.target), plan.target, (result,))
        # A run's fetcher hashes the file first and ends the run as not-modified when it is unchanged.
        max_bytes = self.http.max_bytes if self.http else HttpSettings().max_bytes
        read_file = getattr(get, "read_file", None)
        if self.raw is not None:
            raw = self.raw
        else:
            raw = read_file(Path(plan.target), max_bytes) if read_file else read_saved_file(Path(plan.target), max_bytes)
        return Fetched(_parse_or_fail(raw, plan.target), plan.target, size=len(raw))


def read_saved_file(path: Path, max_bytes: int) -> bytes:
    """A saved page or API answer, under the same size cap as an HTTP body; ParseError if refused.

    Only a regular file is read: `/dev/zero` would never end and a FIFO
    would block until someone writes to it (it is opened without blocking,
    then refused). A file over the cap is refused before reading it, and
    the read stops one byte past the cap in case it grows meanwhile.
    """
    cap = f"larger than the {describe_size(max_bytes)} cap ([http] max_bytes)"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ParseError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ParseError(f"{path}: not a regular file (a device, FIFO or socket is never read)")
        if info.st_size > max_bytes:
            raise ParseError(f"{path}: {describe_size(info.st_size)}, {cap}")
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ParseError(f"{path}: {cap}")
    return raw


def _on_asked_day(listing: Listing, url: str) -> Listing:
    """A Hugging Face daily answer fetched with `?date=` lists that day, whatever its items' own timestamps say."""
    values = parse_qs(urlsplit(url).query).get("date") or []
    asked = plausible_iso(values[0]) if values and len(values[0]) == 10 else None
    if asked and listing.kind == "daily" and listing.format == "hf-api":
        listing.listing_date = asked
        for entry in listing.entries:
            entry.listing_date = asked
    return listing


def _parse_or_fail(raw: bytes, where: str) -> Listing:
    try:
        listing = parse_any(raw)
    except ParseError as exc:
        raise ParseError(f"{where}: {exc}") from None
    # An answer that itself says it has nothing (arXiv totalResults 0, OAI noRecordsMatch) is an empty run.
    if not listing.entries and listing.kind != "search" and not listing.confirmed_empty:
        raise ParseError(f"{where}: {listing.format} listing with no entries")
    return listing


def source_name(listing: Listing) -> str:
    """`adhoc:hf-daily`, `adhoc:hf-search`, ... for Hugging Face listings; `adhoc:<format>` otherwise."""
    if listing.format.startswith("hf-"):
        return f"{PREFIX}hf-{listing.kind}"
    return f"{PREFIX}{listing.format}" if listing.format else SOURCE


def is_adhoc_name(name: str) -> bool:
    return name == SOURCE or name.startswith(PREFIX)
