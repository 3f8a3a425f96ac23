"""What a source kind is: everything paperfeed knows about one way of listing papers, in one class.

A kind declares its options (with defaults and checks, applied when
`sources.toml` is loaded), when it is scheduled, how often its upstream
normally publishes (`cadence`, what staleness is judged by), whether its listings are
addressed by day (catch-up and backfill both read `dates`), whether a day
comes in pages, what an empty listing means (`expect`), how politely its
hosts are asked (`politeness`), and how one unit is fetched. The run code
only ever talks to this interface, so adding a kind is one module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, ClassVar

from pipeline.http import FetchResult, HttpSettings, fetch
from pipeline.kinds.cadence import Cadence
from pipeline.model import Listing


@dataclass(frozen=True)
class Unit:
    """What one run fetches: a day (date-addressed kinds), a page start (paged days), a query (searches)."""

    day: date | None = None
    page: int | None = None
    query: str | None = None


@dataclass(frozen=True)
class Fetched:
    """A parsed listing plus what fetching it cost, for the run ledger.

    `day` is the listing day this fetch completes (recorded on the run, so a
    backfill knows the day is done); a paged listing's pages before the last
    leave it None and give `next_page`, where the next page starts.
    """

    listing: Listing
    target: str
    responses: tuple[FetchResult, ...] = ()
    notes: tuple[str, ...] = ()
    day: str | None = None
    next_page: int | None = None
    total: int | None = None  # entries the server says the paged day has
    size: int | None = None  # bytes read when nothing was fetched (a saved file)

    @property
    def http_status(self) -> int | None:
        return self.responses[-1].status if self.responses else None

    @property
    def bytes(self) -> int:
        return self.size if self.size is not None else sum(len(r.body) for r in self.responses)


def _every_day(day: date) -> bool:
    return True


@dataclass(frozen=True)
class DatePlan:
    """How the listing days of a date-addressed kind work.

    `zone` names its days; `listed` says which days have a listing at all;
    `lag` is how many days behind today the latest finished day is (a day of
    submissions is complete only once it is over); `settle_after` refetches
    yesterday once, this long after today began (votes that keep arriving).
    """

    zone: tzinfo = timezone.utc
    listed: Callable[[date], bool] = _every_day
    lag: int = 0
    settle_after: timedelta | None = None

    def latest(self, now: datetime) -> date:
        """The newest day a run fetches by default."""
        return now.astimezone(self.zone).date() - timedelta(days=self.lag)


ENTRY_RULES = ("weekdays", "always", "never")
DAILY_INTERVAL_HOURS = 26.0  # a day plus slack for a late run


@dataclass(frozen=True)
class Expectation:
    """What a source normally delivers, so silence is noticed instead of passing.

    `entries`: when a listing with zero entries means the source is broken
    rather than quiet (`weekdays`: past weekdays always have papers; `always`:
    a standing search; `never`). `every_hours`: how long after its last
    success a source counts as overdue in `paperfeed status` (0: never).
    """

    entries: str = "never"
    every_hours: float = 0.0

    def empty_is_failure(self, day: date, today: date) -> str | None:
        """Why an empty listing of `day` means trouble, or None when it may be empty.

        Today's listing of a daily source may still be filling up, so only past
        days count.
        """
        if self.entries == "always":
            return "no entries, where this source always has some: source changed or failing?"
        if self.entries == "weekdays" and day.weekday() < 5 and day < today:
            return f"no papers listed for {day.isoformat()}, a past weekday: source changed or failing?"
        return None

    @property
    def interval(self) -> timedelta | None:
        return timedelta(hours=self.every_hours) if self.every_hours > 0 else None


@dataclass(frozen=True)
class Option:
    """One key a kind accepts in `sources.toml`: its type, default, and any further check.

    `type` is checked strictly (a string is never a boolean, a boolean never
    a number); `check` returns what is wrong with a well-typed value ("must
    be ..."), or None. `expected` describes a good value for the message.
    """

    type: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    check: Callable[[Any], str | None] | None = None
    expected: str | None = None

    def problem(self, value: Any) -> str | None:
        wanted = self.type if isinstance(self.type, tuple) else (self.type,)
        if (isinstance(value, bool) and bool not in wanted) or not isinstance(value, wanted):
            return f"must be {self.expected or _type_names(wanted)}"
        return self.check(value) if self.check else None


def _type_names(types: tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def http_url(value: str) -> str | None:
    return None if value.startswith(("http://", "https://")) else "must be an http(s) URL"


def whole_number(minimum: int) -> Callable[[Any], str | None]:
    def check(value: int) -> str | None:
        return None if value >= minimum else f"must be a whole number >= {minimum}"
    return check


def string_list(expected: str) -> Callable[[Any], str | None]:
    def check(value: list) -> str | None:
        return None if value and all(isinstance(item, str) and item for item in value) else f"must be {expected}"
    return check


def one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: str) -> str | None:
        return None if value in choices else "must be " + " or ".join(f'"{choice}"' for choice in choices)
    return check


def iso_days(value: list) -> str | None:
    """A list of YYYY-MM-DD days (a source's own holidays)."""
    for item in value:
        try:
            if not (isinstance(item, str) and len(item) == 10):
                raise ValueError(item)
            date.fromisoformat(item)
        except ValueError:
            return f'must be a list of days, e.g. ["2026-12-24"]; not a day: {item!r}'
    return None


def non_negative(value: float) -> str | None:
    return None if value >= 0 else "must be >= 0"


@dataclass(frozen=True)
class Plan:
    """One unit as its kind resolved it: the ledger's target, what was asked (kept with raw
    responses for `reparse`), and for paged days how far apart pages start (so a backfill can
    skip pages it already has without fetching them)."""

    unit: Unit
    target: str
    request: Mapping[str, Any] = field(default_factory=dict)
    page_step: int | None = None


# The fetch function a kind is handed: `http.fetch`'s signature (a run passes one that makes
# requests conditional, `reparse` one that replays kept responses).
Get = Callable[..., FetchResult]


class SourceKind:
    """One way of listing papers. Subclass, set the class attributes, implement `plan` and `fetch`,
    and `register` the class.

    An instance is one configured source: its checked options and the HTTP settings.
    """

    name: ClassVar[str]
    family: ClassVar[str]  # which registry a listing comes from, for merge precedence
    options: ClassVar[Mapping[str, Option]] = {}
    schedule: ClassVar[tuple[str, str]] = ("43 7 * * *", "UTC")  # crontab line, zone; off the hour
    dates: ClassVar[DatePlan | None] = None  # date-addressed: catch-up and backfill walk its days
    paged: ClassVar[bool] = False
    expect: ClassVar[Expectation] = Expectation()
    politeness: ClassVar[Mapping[str, float]] = {}  # host -> seconds between two requests
    cadence: ClassVar[Cadence] = Cadence()  # how often it normally shows new papers (staleness)

    def __init__(self, source: str, options: Mapping[str, Any], http: HttpSettings | None = None):
        self.source = source
        self.values = dict(options)
        self.http = http or HttpSettings()

    def option(self, key: str) -> Any:
        declared = self.options.get(key)
        return self.values.get(key, declared.default if declared else None)

    def default_day(self) -> date:
        """The day a run without `--date` lists."""
        plan = self.dates or DatePlan()
        return plan.latest(datetime.now(timezone.utc))

    def lists_by_date(self) -> bool:
        """Whether a run of the latest day asks for it by date (else it reads the listing as it is now)."""
        return self.dates is not None

    def plan(self, unit: Unit) -> Plan:
        raise NotImplementedError

    def fetch(self, plan: Plan, get: Get = fetch) -> Fetched:
        raise NotImplementedError
