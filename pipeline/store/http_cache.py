"""Validators and body hashes per URL, for conditional GET and unchanged-body skips.

A URL's row is only replaced once the listing its body produced has been
stored (or found empty), in the same transaction as the run row: a body that
failed to parse or store is never remembered, so the next run fetches and
parses it again instead of being told "not modified" about data it never kept.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from pipeline.http.secrets import redacted
from pipeline.store.core import Store, utc_now


@dataclass(frozen=True)
class CachedResponse:
    url: str
    etag: str | None
    last_modified: str | None
    content_sha256: str | None


def lookup(store: Store, url: str) -> CachedResponse | None:
    row = store.conn.execute(
        "SELECT url, etag, last_modified, content_sha256 FROM http_cache WHERE url = ?", (redacted(url),)
    ).fetchone()
    return CachedResponse(*row) if row else None


def remember(conn: sqlite3.Connection, entries: list[CachedResponse], *, confirmed: list[CachedResponse] = ()) -> None:
    """Write inside the caller's transaction.

    `entries` are new bodies: their validators replace the stored ones, even
    when missing (an old ETag must not vouch for a new body). `confirmed` are
    304s and unchanged bodies: only the check time moves, plus any validator
    the server sent afresh.
    """
    now = utc_now()
    conn.executemany(
        "INSERT OR REPLACE INTO http_cache (url, etag, last_modified, content_sha256, checked_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [(redacted(e.url), e.etag, e.last_modified, e.content_sha256, now) for e in entries],
    )
    conn.executemany(
        "UPDATE http_cache SET etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),"
        " checked_at = ? WHERE url = ?",
        [(e.etag, e.last_modified, now, redacted(e.url)) for e in confirmed],
    )
