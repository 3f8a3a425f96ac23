"""Reading the run ledger: recent runs, and each source's history for `paperfeed status`."""

from __future__ import annotations

from typing import Any

from pipeline.store.core import Store

SUCCESS_STATUSES = ("ok", "empty", "not-modified")  # the source answered and we stored what it said
FAILURE_STATUSES = ("failed", "rate-limited", "interrupted")
RUN_STATUSES = ("running", *SUCCESS_STATUSES, *FAILURE_STATUSES, "skipped")  # every value of runs.status
RUN_COLUMNS = (
    "id, source, target, started_at, finished_at, status, http_status, bytes, duration_s,"
    " entries_parsed, papers_new, papers_updated, papers_tagged, error, listing_date"
)


def recent_runs(store: Store, *, source: str | None = None, status: str | None = None,
                limit: int = 20) -> list[dict[str, Any]]:
    where, params = [], []
    if source:
        where.append("source = ?")
        params.append(source)
    if status:
        where.append("status = ?")
        params.append(status)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return store.query(f"SELECT {RUN_COLUMNS} FROM runs{clause} ORDER BY id DESC LIMIT ?", (*params, limit))


def run_count(store: Store) -> int:
    return store.query("SELECT count(*) AS n FROM runs")[0]["n"]


def latest_finished_run(store: Store, source: str) -> dict[str, Any] | None:
    """The newest run that has an outcome (a run in progress says nothing yet)."""
    rows = store.query(
        f"SELECT {RUN_COLUMNS} FROM runs WHERE source = ? AND status NOT IN ('running', 'skipped')"
        " ORDER BY id DESC LIMIT 1",
        (source,),
    )
    return rows[0] if rows else None


def latest_run_with_status(store: Store, source: str, statuses: tuple[str, ...]) -> dict[str, Any] | None:
    marks = ",".join("?" * len(statuses))
    rows = store.query(
        f"SELECT {RUN_COLUMNS} FROM runs WHERE source = ? AND status IN ({marks}) ORDER BY id DESC LIMIT 1",
        (source, *statuses),
    )
    return rows[0] if rows else None


def recent_volumes(store: Store, source: str, limit: int) -> list[int]:
    """Entries parsed by the source's last `limit` ok runs, newest first."""
    rows = store.query(
        "SELECT entries_parsed FROM runs WHERE source = ? AND status = 'ok' AND entries_parsed > 0"
        " ORDER BY id DESC LIMIT ?",
        (source, limit),
    )
    return [row["entries_parsed"] for row in rows]


def first_run_started(store: Store) -> str | None:
    """When this database started recording runs: the clock for a source that never succeeded."""
    return store.query("SELECT min(started_at) AS at FROM runs")[0]["at"]
