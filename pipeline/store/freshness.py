"""What staleness is judged from: when each paper first reached a source, and when the source was watched."""

from __future__ import annotations

from pipeline.store.core import Store


def arrivals_per_day(store: Store, source: str) -> dict[str, int]:
    """Listing day -> papers the source showed for the first time that day.

    A paper is counted once, on the first day the source listed it, so a
    rolling feed that repeats yesterday's items adds nothing to today.
    """
    rows = store.query(
        "SELECT first_day, count(*) AS papers FROM"
        " (SELECT paper_id, min(listing_date) AS first_day FROM sightings WHERE source = ? GROUP BY paper_id)"
        " GROUP BY first_day",
        (source,),
    )
    return {row["first_day"]: row["papers"] for row in rows}


def first_run_started(store: Store, source: str) -> str | None:
    """When this database started watching the source (days before were backfilled, not watched)."""
    return store.query("SELECT min(started_at) AS at FROM runs WHERE source = ?", (source,))[0]["at"]


def runs_started_since(store: Store, source: str, since: str) -> bool:
    """Did any run of the source, of any outcome, start at or after `since`?"""
    rows = store.query("SELECT 1 AS found FROM runs WHERE source = ? AND started_at >= ? LIMIT 1", (source, since))
    return bool(rows)


def days_looked_at(store: Store, source: str) -> set[str]:
    """The listing days some finished run of the source asked for (date-addressed kinds)."""
    rows = store.query(
        "SELECT DISTINCT listing_date FROM runs WHERE source = ? AND listing_date IS NOT NULL"
        " AND status NOT IN ('running', 'skipped')",
        (source,),
    )
    return {row["listing_date"] for row in rows}
