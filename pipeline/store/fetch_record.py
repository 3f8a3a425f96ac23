"""What a run's fetching learnt, handed to the store as data and written with the run's outcome.

The fetcher never holds a connection: it returns a `FetchRecord` (validators
of the bodies the stored listing was made of, 304s and unchanged bodies to
confirm, raw responses to keep) and the store writes it in the transaction
that closes the run, so a listing that failed to store leaves no validator
behind that would call it "not modified" next time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.store import http_cache, raw
from pipeline.store.http_cache import CachedResponse


@dataclass(frozen=True)
class FetchRecord:
    source: str
    request: Mapping[str, Any] = field(default_factory=dict)
    fresh: tuple[CachedResponse, ...] = ()
    confirmed: tuple[CachedResponse, ...] = ()
    kept: tuple[raw.KeptResponse, ...] = ()


def write(conn: sqlite3.Connection, run_id: int, record: FetchRecord | None) -> None:
    """Inside the caller's transaction."""
    if record is None:
        return
    if record.fresh or record.confirmed:
        http_cache.remember(conn, list(record.fresh), confirmed=list(record.confirmed))
    if record.kept:
        raw.keep(conn, run_id, record.source, dict(record.request), list(record.kept))
