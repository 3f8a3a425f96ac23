"""Is each enabled source healthy? The logic behind `paperfeed status`.

A source is in trouble when its latest finished run failed (failed,
rate-limited, interrupted) or when it is overdue: no success within its
expected interval (`expect_every_hours`, see `pipeline.kinds.base.Expectation`),
counted from its last success or, if it never succeeded, from the
database's first run. Both make `paperfeed status` exit non-zero, so cron
and monitoring can alert; a later success clears them. A volume far below
the source's recent median is shown as a warning but does not fail: a
quiet day is possible, a broken source shows up as a failure.

Hooks for other concerns (a scheduler knows when a source is next due and
whether it is alive): `NEXT_DUE_HOOKS` and `STATUS_EXTRAS`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from pipeline.config import SourceConfig
from pipeline.store import Store
from pipeline.store import ledger

LOW_VOLUME_RATIO = 0.3  # flag a run that parsed under 30 % of the recent median
VOLUME_HISTORY = 14  # ok runs the median is taken over
MIN_HISTORY = 3  # fewer past runs than this say nothing about "normal"

# Each hook maps (source, last success or None) to the next planned run, or None
# when it does not schedule that source. The first answer wins; without one, the
# next run is due one expected interval after the last success.
NEXT_DUE_HOOKS: list[Callable[[SourceConfig, datetime | None], datetime | None]] = []
# Each extra returns (lines to show, whether they mean trouble), e.g. a scheduler heartbeat.
STATUS_EXTRAS: list[Callable[[Store, datetime], tuple[list[str], bool]]] = []


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(timezone.utc) if value else None


@dataclass
class SourceHealth:
    name: str
    latest: dict[str, Any] | None = None
    last_success: dict[str, Any] | None = None
    last_failure: dict[str, Any] | None = None
    next_due: datetime | None = None
    overdue_by: timedelta | None = None
    low_volume: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def assess(store: Store, source: SourceConfig, now: datetime | None = None) -> SourceHealth:
    now = now or datetime.now(timezone.utc)
    health = SourceHealth(name=source.name)
    health.latest = ledger.latest_finished_run(store, source.name)
    health.last_success = ledger.latest_run_with_status(store, source.name, ledger.SUCCESS_STATUSES)
    health.last_failure = ledger.latest_run_with_status(store, source.name, ledger.FAILURE_STATUSES)
    if health.latest and health.latest["status"] in ledger.FAILURE_STATUSES:
        run = health.latest
        health.problems.append(f"latest run {run['id']} {run['status']} at {run['started_at']}: {run['error'] or 'no reason recorded'}")
    succeeded_at = parse_time(health.last_success["started_at"]) if health.last_success else None
    interval = source.expectation.interval
    for hook in NEXT_DUE_HOOKS:
        health.next_due = hook(source, succeeded_at)
        if health.next_due is not None:
            break
    if interval is not None:
        since = succeeded_at or parse_time(ledger.first_run_started(store))
        if health.next_due is None and since is not None:
            health.next_due = since + interval
        if since is not None and now > since + interval:
            health.overdue_by = now - (since + interval)
            what = f"last success {health.last_success['started_at']}" if succeeded_at else "never succeeded"
            health.problems.append(f"overdue: {what}, expected every {interval.total_seconds() / 3600:g} h")
    health.low_volume = _low_volume(store, source.name)
    return health


def _low_volume(store: Store, source: str) -> str | None:
    volumes = ledger.recent_volumes(store, source, VOLUME_HISTORY + 1)
    if len(volumes) < MIN_HISTORY + 1:
        return None
    latest, history = volumes[0], volumes[1:]
    median = statistics.median(history)
    if latest < LOW_VOLUME_RATIO * median:
        return f"low volume: latest ok run parsed {latest} entries, recent median {median:g} over {len(history)} runs"
    return None
