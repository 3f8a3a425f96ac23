"""Which listing days one run of a source fetches: today, plus what downtime missed.

A date-addressed source (one listing per day, fetched by date) can be asked
for any past day, so a run fetches every day within the catch-up window that
has no complete run (`ok` or `empty`) yet, back to the source's first
complete day: three days of downtime cost one run that fetches exactly the
three missing days, and a fresh database starts with today only (older days
are a deliberate `paperfeed ingest SOURCE --date DAY`).

Each kind says how its days work in its `dates` (`pipeline.kinds.base.DatePlan`):
the zone its listing days are named in, which days have a listing at all,
how far behind today its latest day is, and whether yesterday is fetched once
more after it ended (Hugging Face votes keep arriving the next morning). A
kind without one (a search, a feed) is fetched as it is now.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from pipeline.config import SourceConfig
from pipeline.kinds import DatePlan
from pipeline.store import Store
from pipeline.store.schedule import complete_days, completed_since, first_complete_day


def utc_text(moment: datetime) -> str:
    """The format of `runs.started_at`, so the two compare as text."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_to_fetch(store: Store, source: SourceConfig, *, now: datetime, window: int,
                  slot: datetime | None = None) -> list[date | None]:
    """The days one run fetches, oldest first; `[None]` means "the source as it is now".

    `slot` is the scheduled time a scheduler run belongs to: what a complete
    run already fetched at or after it (another scheduler process on the same
    database, say) is not fetched again.
    """
    plan = source.kind_type.dates
    if plan is None:
        return [] if _done_since(store, source, slot, None) else [None]
    today = plan.latest(now)
    days: list[date | None] = list(_missed_days(store, source.name, plan, today, now, window))
    current = today if source.make().lists_by_date() else None
    if plan.listed(today) and not _done_since(store, source, slot, current):
        days.append(current)
    return days


def _done_since(store: Store, source: SourceConfig, slot: datetime | None, day: date | None) -> bool:
    """Whether a complete run of the slot (another scheduler process, say) already fetched `day`."""
    return slot is not None and completed_since(store, source.name, utc_text(slot), day.isoformat() if day else None)


def _missed_days(store: Store, source: str, plan: DatePlan, today: date, now: datetime, window: int):
    first = first_complete_day(store, source)
    if first is None or window <= 0:
        return
    start = max(today - timedelta(days=window), date.fromisoformat(first))
    complete = complete_days(store, source, start.isoformat())
    settle_from = datetime.combine(today, time(), plan.zone) + (plan.settle_after or timedelta(0))
    day = start
    while day < today:
        done = complete.get(day.isoformat())
        unsettled = (
            plan.settle_after is not None
            and day == today - timedelta(days=1)
            and now >= settle_from
            and done is not None
            and done < utc_text(settle_from)
        )
        if plan.listed(day) and (done is None or unsettled):
            yield day
        day += timedelta(days=1)
