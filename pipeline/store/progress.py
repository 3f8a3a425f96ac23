"""What the run ledger says is already done, so a backfill resumes instead of starting over.

A day is complete when a run of the source recorded that listing day with
status `ok` or `empty` (only the run that finished the day records it: for a
paged day, the last page's). A page before the last is done when a run with
exactly its URL ended `ok` or `empty`; it records no day.
"""

from __future__ import annotations

from pipeline.store.core import Store

DONE_STATUSES = ("ok", "empty")


def completed_run(store: Store, source: str, day: str) -> int | None:
    """The run that completed `day` for `source`, if any."""
    row = store.conn.execute(
        "SELECT id FROM runs WHERE source = ? AND listing_date = ? AND status IN (?, ?) ORDER BY id LIMIT 1",
        (source, day, *DONE_STATUSES),
    ).fetchone()
    return row[0] if row else None


def page_done(store: Store, source: str, target: str) -> bool:
    """A page before a day's last page already stored by an earlier run."""
    row = store.conn.execute(
        "SELECT 1 FROM runs WHERE source = ? AND target = ? AND listing_date IS NULL AND status IN (?, ?) LIMIT 1",
        (source, target, *DONE_STATUSES),
    ).fetchone()
    return row is not None
