"""What `paperfeed status` shows of scheduling: when each source is next due, and
whether the scheduler that keeps the database current is alive.

A scheduler that stopped cleanly writes `stopped` in its heartbeat; one whose
heartbeat has not moved for several intervals without saying so has died,
and that is a problem worth a non-zero exit, like a failed source.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pipeline.config import ConfigError, ScheduleSettings, SourceConfig
from pipeline.health import NEXT_DUE_HOOKS, STATUS_EXTRAS, parse_time
from pipeline.schedule import source_trigger
from pipeline.store import Store
from pipeline.store.schedule import SCHEDULER_ROW, heartbeats

STALE_AFTER_BEATS = 5


def next_scheduled_run(source: SourceConfig, _last_success: datetime | None) -> datetime | None:
    """The source's next slot on its schedule (configured or the kind's default)."""
    try:
        _, _, trigger = source_trigger(source, f"source {source.name!r}")
    except ConfigError:
        return None  # a broken schedule is reported by `paperfeed schedule` itself
    upcoming = trigger.get_next_fire_time(None, datetime.now(trigger.timezone))
    return upcoming.astimezone(timezone.utc) if upcoming else None


def scheduler_lines(store: Store, now: datetime, settings: ScheduleSettings | None = None) -> tuple[list[str], bool]:
    rows = heartbeats(store)
    if not rows:
        return ["scheduler: never ran on this database (fine when cron runs `paperfeed ingest --all`)"], False
    beat_every = (settings or ScheduleSettings()).heartbeat_seconds
    process = rows[0] if rows[0]["job_id"] == SCHEDULER_ROW else None
    lines, trouble = [], False
    if process is not None:
        last_tick = parse_time(process["last_run_at"] or process["updated_at"])
        if process["last_status"] == "stopped":
            lines.append(f"scheduler: stopped at {process['updated_at']} (pid {process['pid']})")
        elif last_tick and now - last_tick > timedelta(seconds=beat_every * STALE_AFTER_BEATS):
            lines.append(f"scheduler: heartbeat stale since {process['last_run_at']} (pid {process['pid']}):"
                         " died without stopping?")
            trouble = True
        else:
            lines.append(f"scheduler: alive, last tick {process['last_run_at']} (pid {process['pid']})")
    for row in rows:
        if row["job_id"] != SCHEDULER_ROW:
            lines.append(f"  job {row['job_id']}: last run {row['last_run_at'] or '-'} {row['last_status'] or ''},"
                         f" next run {row['next_run_at'] or '-'}")
    return lines, trouble


NEXT_DUE_HOOKS.append(next_scheduled_run)
STATUS_EXTRAS.append(scheduler_lines)
