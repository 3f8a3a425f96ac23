"""Is the scheduler that keeps the database current alive? One rule, for `status` and `schedule --status`.

The scheduler writes a `(scheduler)` heartbeat row every `heartbeat_seconds`
and `stopped` when it stops cleanly. It is alive while its last tick is at
most `STALE_AFTER_BEATS` intervals (plus a little slack) old, it has not said
it stopped, and, on this host, its process still exists. A heartbeat that
stopped moving without a `stopped` means the process died: trouble worth a
non-zero exit, like a failed source. Also here: each source's next slot on
its schedule, which `paperfeed status` shows as "next due".
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pipeline.config import ConfigError, ScheduleSettings, SourceConfig
from pipeline.run.scheduler import source_trigger
from pipeline.store import Store
from pipeline.store.schedule import SCHEDULER_ROW, heartbeats

STALE_AFTER_BEATS = 3
SLACK_SECONDS = 5.0


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc) if value else None


@dataclass(frozen=True)
class SchedulerState:
    """`never` ran, `alive`, `stopped` cleanly, `stale` (no tick for too long) or `gone` (process vanished)."""

    state: str
    row: dict[str, Any] | None = None

    @property
    def alive(self) -> bool:
        return self.state == "alive"

    @property
    def died(self) -> bool:
        return self.state in ("stale", "gone")

    @property
    def last_tick(self) -> str | None:
        return (self.row["last_run_at"] or self.row["updated_at"]) if self.row else None


def scheduler_state(rows: list[dict[str, Any]], settings: ScheduleSettings, now: datetime) -> SchedulerState:
    own = next((row for row in rows if row["job_id"] == SCHEDULER_ROW), None)
    if own is None:
        return SchedulerState("never")
    if own["last_status"] == "stopped":
        return SchedulerState("stopped", own)
    tick = _parse_time(own["last_run_at"] or own["updated_at"])
    limit = timedelta(seconds=STALE_AFTER_BEATS * max(settings.heartbeat_seconds, 1) + SLACK_SECONDS)
    if tick is None or now - tick > limit:
        return SchedulerState("stale", own)
    if own["hostname"] == socket.gethostname() and own["pid"] and not _process_exists(own["pid"]):
        return SchedulerState("gone", own)
    return SchedulerState("alive", own)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def next_scheduled_run(source: SourceConfig, now: datetime | None = None) -> datetime | None:
    """The source's next slot on its schedule (configured or the kind's default) after `now`."""
    try:
        _, _, trigger = source_trigger(source, f"source {source.name!r}")
    except ConfigError:
        return None  # a broken schedule is reported by `paperfeed schedule` itself
    upcoming = trigger.get_next_fire_time(None, (now or datetime.now(timezone.utc)).astimezone(trigger.timezone))
    return upcoming.astimezone(timezone.utc) if upcoming else None


def scheduler_lines(store: Store, now: datetime, settings: ScheduleSettings) -> tuple[list[str], bool]:
    """What `paperfeed status` shows of the scheduler and its jobs, and whether it means trouble."""
    rows = heartbeats(store)
    if not rows:
        return ["scheduler: never ran on this database (fine when cron runs `paperfeed ingest --all`)"], False
    state = scheduler_state(rows, settings, now)
    own = state.row
    lines = []
    if state.state == "stopped":
        lines.append(f"scheduler: stopped at {own['updated_at']} (pid {own['pid']})")
    elif state.state == "stale":
        lines.append(f"scheduler: heartbeat stale since {state.last_tick} (pid {own['pid']}): died without stopping?")
    elif state.state == "gone":
        lines.append(f"scheduler: process {own['pid']} is gone, last tick {state.last_tick}: died without stopping?")
    elif state.state == "alive":
        lines.append(f"scheduler: alive, last tick {state.last_tick} (pid {own['pid']})")
    for row in rows:
        if row["job_id"] != SCHEDULER_ROW:
            lines.append(f"  job {row['job_id']}: last run {row['last_run_at'] or '-'} {row['last_status'] or ''},"
                         f" next run {row['next_run_at'] or '-'}")
    return lines, state.died
