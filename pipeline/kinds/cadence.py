"""How often a kind's upstream normally shows something new: what `paperfeed status` judges silence by.

A source's own history decides where there is enough of it (see
`pipeline.run.staleness`); a kind's `Cadence` is the fallback for a new
source and names what history cannot learn: the zone its days are counted
in, the holidays on which it publishes nothing, and whether it is a
day-by-day listing at all (a journal's feed or a search changes when it
changes, so only long silence is judged there, never one quiet day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta, timezone, tzinfo

WEEKDAYS = frozenset(range(5))  # Monday=0 .. Friday=4
EVERY_DAY = frozenset(range(7))


def _no_holidays(day: date) -> bool:
    return False


def fourth_thursday_of_november(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def arxiv_holiday(day: date) -> bool:
    """arXiv's yearly closings: no announcement on New Year's Day, US Thanksgiving and Christmas Day.

    arXiv publishes further closings (and the odd extra one) on its schedule page
    each year; a source's `quiet_days` adds those.
    """
    return (day.month, day.day) in ((1, 1), (12, 25)) or day == fourth_thursday_of_november(day.year)


@dataclass(frozen=True)
class Cadence:
    """A kind's publishing rhythm, before any history of the source itself.

    `daily`: listings are per day (HF daily, arXiv announcements, a day of
    submissions), so a single publishing day without papers and a day far
    smaller than usual are judged; otherwise only long silence is.
    `publishes_on`: weekdays (Monday=0) that normally have papers, in `zone`.
    `quiet_day`: holidays with no listing although it is a publishing weekday.
    `silence_days`: how many publishing days in a row may pass without a new
    paper before the source counts as stale. `usual_volume`: papers on a
    normal day, until the source has its own median (None: not judged).
    `lag`: days after a day ends before its listing is complete.
    """

    daily: bool = False
    publishes_on: frozenset[int] = EVERY_DAY
    zone: tzinfo = timezone.utc
    quiet_day: Callable[[date], bool] = _no_holidays
    silence_days: int = 14
    usual_volume: int | None = None
    lag: int = 0
