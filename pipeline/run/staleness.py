"""Silent staleness: a source that answers fine but has stopped changing, and a scheduler that stopped.

A failed run is loud; these are quiet. Four findings, each one line:

- stale: no new paper for more publishing days in a row than the source
  ever went quiet before (its own history of the last weeks; the kind's
  `Cadence.silence_days` until there is enough, or `stale_after_days`);
- skipped: a recent day the source normally publishes on (a weekday it has
  papers on in most weeks) without a single new paper;
- partial: the latest complete day far smaller than the source's usual day;
- scheduler stopped: the scheduler's heartbeat says it stopped or died, and
  a source's scheduled slot has passed since without any run of it (so a
  scheduler deliberately replaced by cron is not flagged).

Weekends and holidays (the kind's calendar plus the source's `quiet_days`)
are not publishing days, so they never count as silence. Only days the
database watched are judged: from the source's first run on, up to the last
day a successful run could have seen complete, and for a kind asked by date
only the days its runs asked for (a day backfilled long ago, or a source
that has not run since, says nothing about the upstream; the latter is the
overdue and scheduler checks' business).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from pipeline.config import Config, ConfigError, SourceConfig
from pipeline.kinds.cadence import Cadence
from pipeline.run.liveness import scheduler_state
from pipeline.run.scheduler import source_trigger
from pipeline.store import Store
from pipeline.store import freshness, ledger
from pipeline.store.schedule import heartbeats

HISTORY_DAYS = 56  # the weeks a source's rhythm is learned from
RECENT_DAYS = 7  # skipped days are looked for this far back; history is learned before them
MIN_LEARNING_DAYS = 21  # watched days before a weekday pattern is believed
MIN_VOLUME_DAYS = 10  # publishing days with papers before their median is believed
MIN_GAP_ARRIVALS = 5  # days with papers before the longest gap between them is believed
PUBLISHES_SHARE = 0.5  # a weekday with papers in at least half its weeks is a publishing day
PARTIAL_RATIO = 0.3  # a day under 30 % of the usual day is a partial listing
SLOT_GRACE = timedelta(minutes=10)  # a slot this long past without a run is missed
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Finding:
    """One sign of silent staleness: which source (or the scheduler), what kind of sign, why."""

    source: str
    sign: str  # stale, skipped, partial, scheduler-stopped
    reason: str  # one line


@dataclass(frozen=True)
class Rhythm:
    """How the source normally publishes: learned from its history, or its kind's defaults."""

    publishes_on: frozenset[int]
    silence_days: int
    usual_volume: float | None
    basis: str  # where the numbers come from, for the reason line


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(timezone.utc)


def _days(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


class SourceHistory:
    """A source's arrivals per day and the window of days the database watched it."""

    def __init__(self, store: Store, source: SourceConfig):
        self.source = source
        self.cadence: Cadence = source.kind_type.cadence
        self.quiet = {date.fromisoformat(day) for day in source.option("quiet_days", [])}
        self.arrivals = {date.fromisoformat(day): n for day, n in freshness.arrivals_per_day(store, source.name).items()
                         if day and len(day) == 10}
        first_run = freshness.first_run_started(store, source.name)
        success = ledger.latest_run_with_status(store, source.name, ledger.SUCCESS_STATUSES)
        self.watched_from = _parse(first_run).astimezone(self.cadence.zone).date() if first_run else None
        self.checked_until = None
        if success is not None:
            seen = _parse(success["started_at"]).astimezone(self.cadence.zone).date()
            # A day listing is complete once the day (and the kind's lag) is over; a rolling feed
            # shows the state of the day it was read.
            self.checked_until = seen - timedelta(days=1 + self.cadence.lag) if self.cadence.daily else seen
        # A kind asked for a day by its date has watched exactly the days its runs asked for
        # (a backfilled old day tells nothing about the weeks since); a live listing, every day.
        self.asked = ({date.fromisoformat(day) for day in freshness.days_looked_at(store, source.name)}
                      if source.make().lists_by_date() else None)

    def watched(self) -> list[date]:
        """The days judged: watched by the database and complete by the last successful run."""
        days = _days(self.watched_from, self.checked_until)
        return [day for day in days if self.asked is None or day in self.asked]

    def is_quiet(self, day: date) -> bool:
        return day in self.quiet or self.cadence.quiet_day(day)

    def publishing(self, day: date, rhythm: Rhythm) -> bool:
        return day.weekday() in rhythm.publishes_on and not self.is_quiet(day)

    def rhythm(self) -> Rhythm:
        """The source's own rhythm where its history (before the recent week) is long enough."""
        cadence = self.cadence
        learn_until = self.checked_until - timedelta(days=RECENT_DAYS)
        learn_from = max(self.watched_from, learn_until - timedelta(days=HISTORY_DAYS - 1))
        learning = [day for day in _days(learn_from, learn_until)
                    if not self.is_quiet(day) and (self.asked is None or day in self.asked)]
        publishes_on, learned = cadence.publishes_on, []
        if cadence.daily and len(learning) >= MIN_LEARNING_DAYS:
            by_weekday = {w: [d for d in learning if d.weekday() == w] for w in range(7)}
            publishes_on = frozenset(w for w, days in by_weekday.items()
                                     if days and sum(1 for d in days if self.arrivals.get(d)) / len(days) >= PUBLISHES_SHARE)
            learned.append("weekdays")
        volumes = [self.arrivals[d] for d in learning if self.arrivals.get(d) and d.weekday() in publishes_on]
        usual = cadence.usual_volume
        if len(volumes) >= MIN_VOLUME_DAYS:
            usual = statistics.median(volumes)
            learned.append("volume")
        silence = cadence.silence_days
        arrived = [d for d in learning if self.arrivals.get(d)]
        if len(arrived) >= MIN_GAP_ARRIVALS:
            probe = Rhythm(publishes_on, 0, None, "")
            gaps = [sum(1 for d in _days(a + timedelta(days=1), b - timedelta(days=1)) if self.publishing(d, probe))
                    for a, b in zip(arrived, arrived[1:])]
            longest = max(gaps, default=0)
            silence = max(longest + 1, math.ceil(1.5 * longest))
            learned.append("silences")
        silence = int(self.source.option("stale_after_days", silence))
        basis = (f"its last {len(learning)} days' {', '.join(learned)}" if learned else f"the {self.source.kind} defaults")
        return Rhythm(publishes_on, silence, usual, basis)


def source_findings(store: Store, source: SourceConfig) -> list[Finding]:
    """The silent-staleness signs of one source (none for a source never watched or never answered).

    They depend on the runs, not on the clock: the judged days end at the
    last day a successful run could have seen complete.
    """
    history = SourceHistory(store, source)
    if history.watched_from is None or history.checked_until is None or not history.arrivals:
        return []
    judged = history.watched()
    if not judged:
        return []
    rhythm = history.rhythm()
    findings = []
    last_arrival = max(history.arrivals)
    silent = [d for d in judged if d > last_arrival and history.publishing(d, rhythm)]
    if len(silent) > rhythm.silence_days:
        findings.append(Finding(source.name, "stale",
                                f"stale: no new paper since {last_arrival.isoformat()}, {len(silent)} publishing days"
                                f" (at most {rhythm.silence_days} from {rhythm.basis})"))
    if not history.cadence.daily:
        return findings
    recent = [d for d in judged if d > history.checked_until - timedelta(days=RECENT_DAYS)
              and history.publishing(d, rhythm)]
    if not findings:
        for day in recent:
            if not history.arrivals.get(day) and day > min(history.arrivals):
                findings.append(Finding(source.name, "skipped",
                                        f"skipped {day.isoformat()}: no papers on a {WEEKDAY_NAMES[day.weekday()]},"
                                        f" a day it publishes on ({rhythm.basis})"))
    latest = next((d for d in reversed(recent) if history.arrivals.get(d)), None)
    if latest is not None and rhythm.usual_volume and history.arrivals[latest] < PARTIAL_RATIO * rhythm.usual_volume:
        findings.append(Finding(source.name, "partial",
                                f"partial listing: {latest.isoformat()} has {history.arrivals[latest]} new papers,"
                                f" a usual day {rhythm.usual_volume:g} ({rhythm.basis})"))
    return findings


def scheduler_findings(store: Store, config: Config, now: datetime | None = None) -> list[Finding]:
    """A scheduler that stopped (cleanly or not) while sources' slots went by without any run."""
    now = now or datetime.now(timezone.utc)
    state = scheduler_state(heartbeats(store), config.schedule, now)
    if state.state in ("never", "alive") or not state.last_tick:
        return []
    # A clean stop is dated by the stop itself; a death by the last tick it managed.
    last_seen = state.row["updated_at"] if state.state == "stopped" else state.last_tick
    since = _parse(last_seen)
    missed = []
    for source in config.sources.values():
        if not source.enabled:
            continue
        try:
            _, _, trigger = source_trigger(source, f"source {source.name!r}")
        except ConfigError:
            continue
        slot = trigger.get_next_fire_time(None, since.astimezone(trigger.timezone))
        if slot is None or slot + SLOT_GRACE > now:
            continue
        stamp = slot.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if not freshness.runs_started_since(store, source.name, stamp):
            missed.append((slot, source.name, stamp))
    if not missed:
        return []
    missed.sort()
    _, first_name, first_slot = missed[0]
    more = f" and {len(missed) - 1} more source(s)" if len(missed) > 1 else ""
    return [Finding("(scheduler)", "scheduler-stopped",
                    f"scheduler {state.state} (last seen {last_seen}): {first_name} missed its run due"
                    f" {first_slot}{more}, and nothing ran it since")]


def all_findings(store: Store, config: Config, now: datetime | None = None) -> list[Finding]:
    """Every enabled source's signs, then the scheduler's: the digest header shows these."""
    found = [f for source in config.sources.values() if source.enabled for f in source_findings(store, source)]
    return found + scheduler_findings(store, config, now)
