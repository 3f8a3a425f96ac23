"""Which listing days one run of a source fetches: today, plus what downtime missed.

A date-addressed source (one listing per day, fetched by date) can be asked
for any past day, so a run fetches every day within the catch-up window that
has no complete run (`ok` or `empty`) yet, back to the source's first
complete day: three days of downtime cost one run that fetches exactly the
three missing days, and a fresh database starts with today only (older days
are a deliberate `paperfeed ingest SOURCE --date DAY`).

Each kind says how its days work in `DATE_ADDRESSED`: the zone its listing
days are named in, which days have a listing at all, and whether yesterday is
fetched once more after it ended (Hugging Face votes keep arriving the next
morning). A kind without an entry (a search, a feed) is fetched as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Callable

from pipeline.config import SourceConfig
from pipeline.store import Store
from pipeline.store.schedule import complete_days, completed_since, first_complete_day


def _every_day(day: date) -> bool:
    return True


@dataclass(frozen=True)
class DatePlan:
    """How the listing days of one kind of date-addressed source work."""

    zone: tzinfo = timezone.utc
    listed: Callable[[date], bool] = _every_day
    settle_after: timedelta | None = None  # refetch yesterday once, this long after today began

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()


# arXiv by API (Sun-Thu announcements) and bioRxiv by date plug in here as their kinds arrive.
DATE_ADDRESSED: dict[str, DatePlan] = {
    "hf-daily": DatePlan(zone=timezone.utc, settle_after=timedelta(hours=6)),
}


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
    plan = DATE_ADDRESSED.get(source.kind)
    if plan is None:
        if slot is not None and completed_since(store, source.name, utc_text(slot), None):
            return []
        return [None]
    today = plan.today(now)
    days: list[date | None] = list(_missed_days(store, source.name, plan, today, now, window))
    if plan.listed(today) and not (
        slot is not None and completed_since(store, source.name, utc_text(slot), today.isoformat())
    ):
        days.append(today)
    return days


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
