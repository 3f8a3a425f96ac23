"""Raw responses kept for `paperfeed reparse` (setting `[storage] keep_raw = true`).

Bodies are zlib-compressed in the database next to the papers they produced,
so one file holds everything and a backup of it is complete. Every run keeps
its responses, failed runs included: a page that broke the parser is exactly
what a parser fix needs to be tried on.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass, field
from typing import Any

from pipeline.http.secrets import redacted
from pipeline.store.core import Store, utc_now


@dataclass
class KeptResponse:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    content_sha256: str
    fetched_at: str = ""


@dataclass
class KeptRun:
    """The responses one run fetched, with what it was asked for."""

    run_id: int
    source: str
    request: dict[str, Any]
    responses: list[KeptResponse] = field(default_factory=list)


def keep(conn: sqlite3.Connection, run_id: int, source: str, request: dict[str, Any],
         responses: list[KeptResponse]) -> None:
    """Write inside the caller's transaction."""
    conn.executemany(
        "INSERT INTO raw_responses (run_id, source, request, url, fetched_at, status, headers, content_sha256, body)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, source, json.dumps(request, sort_keys=True), redacted(r.url), r.fetched_at or utc_now(), r.status,
             json.dumps(r.headers, sort_keys=True), r.content_sha256, zlib.compress(r.body, 6))
            for r in responses
        ],
    )


def kept_runs(store: Store, *, source: str | None = None, since: str | None = None) -> list[KeptRun]:
    """Runs with kept responses, oldest first, so replaying them repeats history in order."""
    where, params = [], []
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("fetched_at >= ?")
        params.append(since)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    runs: dict[int, KeptRun] = {}
    for row in store.conn.execute(
        "SELECT run_id, source, request, url, fetched_at, status, headers, content_sha256, body"
        f" FROM raw_responses{clause} ORDER BY run_id, id",
        params,
    ):
        run = runs.setdefault(row["run_id"], KeptRun(row["run_id"], row["source"], json.loads(row["request"])))
        run.responses.append(
            KeptResponse(url=row["url"], status=row["status"], headers=json.loads(row["headers"]),
                         body=zlib.decompress(row["body"]), content_sha256=row["content_sha256"],
                         fetched_at=row["fetched_at"])
        )
    return list(runs.values())
