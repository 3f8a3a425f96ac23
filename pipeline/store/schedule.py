"""The scheduler's questions to the run ledger, and its heartbeat.

Catch-up asks which listing days of a source already have a complete run (`ok`
or `empty`); the slot check asks whether another scheduler already did this
slot's run. Both are answered from `runs`, so the schedule keeps no state of
its own that could drift from what was actually stored.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from pipeline.model import RunRow
from pipeline.store.core import Store, utc_now

COMPLETE_STATUSES = ("ok", "empty")
SCHEDULER_ROW = "(scheduler)"


def complete_days(store: Store, source: str, since: str) -> dict[str, str]:
    """Listing day -> start of its latest complete run, for days on or after `since`."""
    rows = store.conn.execute(
        "SELECT listing_date, max(started_at) AS latest FROM runs"
        " WHERE source = ? AND listing_date >= ? AND status IN ('ok', 'empty')"
        " GROUP BY listing_date",
        (source, since),
    ).fetchall()
    return {row["listing_date"]: row["latest"] for row in rows}


def first_complete_day(store: Store, source: str) -> str | None:
    """The earliest day the source ever completed: catch-up never reaches back before it."""
    row = store.conn.execute(
        "SELECT min(listing_date) FROM runs WHERE source = ? AND listing_date IS NOT NULL"
        " AND status IN ('ok', 'empty')",
        (source,),
    ).fetchone()
    return row[0]


def completed_since(store: Store, source: str, started_at: str, listing_date: str | None) -> bool:
    """Did a complete run of this source (and day) start at or after `started_at`?"""
    day_clause = "listing_date IS NULL" if listing_date is None else "listing_date = ?"
    params: tuple[Any, ...] = (source, started_at) + (() if listing_date is None else (listing_date,))
    row = store.conn.execute(
        "SELECT 1 FROM runs WHERE source = ? AND started_at >= ? AND status IN ('ok', 'empty')"
        f" AND {day_clause} LIMIT 1",
        params,
    ).fetchone()
    return row is not None


def record_run(store: Store, source: str, target: str, status: str, error: str,
               listing_date: str | None = None) -> int:
    """A run that did no work (skipped) or died before it could say so itself (failed)."""
    run_id = store.start_run(source, target, listing_date)
    store.finish_run(run_id, RunRow(status, error=error, duration_s=0.0))
    return run_id


def close_running_runs(store: Store, status: str, error: str, source: str | None = None) -> list[int]:
    """Close this process's `running` runs (of one source, or all), leaving finished ones alone."""
    where = "status = 'running' AND pid = ? AND hostname = ?"
    params: list[Any] = [os.getpid(), socket.gethostname()]
    if source is not None:
        where += " AND source = ?"
        params.append(source)
    with store.write_transaction() as conn:
        ids = [row[0] for row in conn.execute(f"SELECT id FROM runs WHERE {where}", params)]
        conn.executemany(
            "UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
            [(status, error, utc_now(), run_id) for run_id in ids],
        )
    return ids


def write_heartbeat(store: Store, job_id: str, *, last_run_at: str | None = None,
                    last_status: str | None = None, next_run_at: str | None = None) -> None:
    """Upsert one heartbeat row; a None field keeps what the row had."""
    with store.write_transaction() as conn:
        conn.execute(
            "INSERT INTO scheduler_heartbeat (job_id, last_run_at, last_status, next_run_at, pid, hostname,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET"
            " last_run_at = coalesce(excluded.last_run_at, last_run_at),"
            " last_status = coalesce(excluded.last_status, last_status),"
            " next_run_at = coalesce(excluded.next_run_at, next_run_at), pid = excluded.pid, hostname = excluded.hostname,"
            " updated_at = excluded.updated_at",
            (job_id, last_run_at, last_status, next_run_at, os.getpid(), socket.gethostname(), utc_now()),
        )


def heartbeats(store: Store) -> list[dict[str, Any]]:
    """Every heartbeat row, the scheduler's own row first, then jobs by id.

    Each row: job_id, last_run_at, last_status, next_run_at, pid, hostname,
    updated_at. The `(scheduler)` row's `last_run_at` is the last tick; it is
    older than a few heartbeat intervals when no scheduler is running.
    """
    rows = store.conn.execute(
        "SELECT job_id, last_run_at, last_status, next_run_at, pid, hostname, updated_at"
        " FROM scheduler_heartbeat ORDER BY job_id != ?, job_id",
        (SCHEDULER_ROW,),
    ).fetchall()
    return [dict(row) for row in rows]
