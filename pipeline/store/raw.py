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
from collections.abc import Iterator
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
    damaged: str | None = None  # why its responses cannot be replayed


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


def kept_runs(store: Store, *, source: str | None = None, since: str | None = None) -> Iterator[KeptRun]:
    """Runs with kept responses, oldest first, so replaying them repeats history in order.

    One run's responses are in memory at a time: the run ids are read
    first, each run's bodies only when its turn comes (replays add kept
    responses of their own, which an open cursor would then walk into). A
    body or header that no longer decodes makes its run `damaged`, to be
    skipped with a note rather than end the whole reparse.
    """
    where, params = [], []
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("fetched_at >= ?")
        params.append(since)
    clause = f" AND {' AND '.join(where)}" if where else ""
    run_ids = [row[0] for row in store.conn.execute(
        f"SELECT DISTINCT run_id FROM raw_responses WHERE 1{clause} ORDER BY run_id", params)]
    for run_id in run_ids:
        yield _kept_run(store, run_id, clause, params)


def _kept_run(store: Store, run_id: int, clause: str, params: list[Any]) -> KeptRun:
    run: KeptRun | None = None
    for row in store.conn.execute(
        # CAST: a body damaged into TEXT that is not UTF-8 would otherwise fail the whole fetch.
        "SELECT id, run_id, source, request, url, fetched_at, status, headers, content_sha256,"
        f" CAST(body AS BLOB) AS body FROM raw_responses WHERE run_id = ?{clause} ORDER BY id",
        [run_id, *params],
    ):
        try:
            request = json.loads(row["request"])
        except (ValueError, TypeError):
            request = {}
        run = run or KeptRun(row["run_id"], row["source"], request)
        if run.damaged:
            continue
        try:
            body = zlib.decompress(row["body"])
            headers = json.loads(row["headers"])
        except (zlib.error, ValueError, TypeError) as exc:
            run.damaged = f"kept response {row['id']} ({row['url']}) is damaged ({' '.join(str(exc).split())})"
            run.responses.clear()
            continue
        run.responses.append(KeptResponse(url=row["url"], status=row["status"], headers=headers, body=body,
                                          content_sha256=row["content_sha256"], fetched_at=row["fetched_at"]))
    assert run is not None  # the run id came from this table
    return run
