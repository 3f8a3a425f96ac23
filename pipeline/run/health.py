"""Is each enabled source healthy? The logic behind `paperfeed status`.

A source is in trouble when its latest finished run failed (failed,
rate-limited, interrupted) or when it is overdue: no success within its
expected interval (`expect_every_hours`, see `pipeline.kinds.base.Expectation`),
counted from its last success or, if it never succeeded, from the
database's first run; or when it went silently stale (`staleness`: no new
paper for longer than its rhythm allows, a skipped publishing day, a day's
listing far below its usual size). All make `paperfeed status` exit
non-zero, so cron and monitoring can alert; a later success clears them. A
single run parsing far below the recent median is only a warning: a listing
still filling up is normal, a finished day that stayed small is `partial`.

The next due time is the source's next slot on its schedule when it has
one (see `liveness`), else one expected interval after the last success.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pipeline.config import SourceConfig
from pipeline.store import Store
from pipeline.store import ledger
from pipeline.run.liveness import next_scheduled_run
from pipeline.run.staleness import source_findings

LOW_VOLUME_RATIO = 0.3  # flag a run that parsed under 30 % of the recent median
VOLUME_HISTORY = 14  # ok runs the median is taken over
MIN_HISTORY = 3  # fewer past runs than this say nothing about "normal"


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
    health.next_due = next_scheduled_run(source, now)
    if interval is not None:
        since = succeeded_at or parse_time(ledger.first_run_started(store))
        if health.next_due is None and since is not None:
            health.next_due = since + interval
        if since is not None and now > since + interval:
            health.overdue_by = now - (since + interval)
            what = f"last success {health.last_success['started_at']}" if succeeded_at else "never succeeded"
            health.problems.append(f"overdue: {what}, expected every {interval.total_seconds() / 3600:g} h")
    health.problems.extend(finding.reason for finding in source_findings(store, source))
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
