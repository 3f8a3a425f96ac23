"""A scheduled delivery waits for the ingests it depends on.

A morning digest fired at 07:00 should carry the night's arXiv announcements:
before sending, the delivery waits while one of its sources has a run in
progress, or is due (its latest scheduled slot has passed and no run has
started since). It waits at most `WAIT_LIMIT`; what is still not done then is
named in the message itself, next to the sources whose last run failed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.triggers.cron import CronTrigger

from pipeline.config import Config
from pipeline.delivery.deliver import dependencies
from pipeline.delivery.subscriptions import Subscription, load
from pipeline.run.run import Pipeline
from pipeline.run.scheduler import cron_trigger, latest_fire_time, source_trigger
from pipeline.store import ledger

WAIT_LIMIT = timedelta(minutes=90)
POLL_SECONDS = 30.0
DUE_HORIZON = 6 * 3600.0  # a slot older than this no longer makes a source "due"


@dataclass(frozen=True)
class DeliveryJob:
    subscription: Subscription
    trigger: CronTrigger

    @property
    def id(self) -> str:
        return f"deliver:{self.subscription.name}"

    def describe(self, now: datetime) -> str:
        upcoming = self.trigger.get_next_fire_time(None, now)
        when = upcoming.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if upcoming else "never"
        return (f"{self.id}: '{self.subscription.crontab}' {self.subscription.timezone}, next run {when},"
                f" after {', '.join(self.subscription.after or self.subscription.sources) or 'every source'}")


def delivery_jobs(config: Config) -> list[DeliveryJob]:
    """One job per subscription, on its cadence (a ConfigError for a bad file or crontab line)."""
    where = str(config.directory / "subscriptions.toml")
    return [DeliveryJob(sub, cron_trigger(sub.crontab, sub.timezone, f"{where}: subscription {sub.name!r}"))
            for sub in load(config.directory).values()]


def unfinished(pipe: Pipeline, subscription: Subscription, now: datetime) -> list[str]:
    """Dependencies still running, or due for a scheduled run that has not started."""
    waiting = []
    for source in dependencies(subscription, pipe.config.sources):
        latest = ledger.recent_runs(pipe.store, source=source.name, limit=1)
        started = datetime.fromisoformat(latest[0]["started_at"]) if latest else None
        if latest and latest[0]["status"] == "running":
            waiting.append(f"{source.name} (still running)")
            continue
        try:
            _, _, trigger = source_trigger(source, source.name)
        except Exception:  # noqa: BLE001 - its own job reports a bad schedule
            continue
        slot = latest_fire_time(trigger, now, DUE_HORIZON)
        if slot is not None and (started is None or started < slot):
            waiting.append(f"{source.name} (due {slot:%H:%M} UTC, not started)")
    return waiting


def wait_for_ingests(pipe: Pipeline, subscription: Subscription, stop: threading.Event,
                     limit: timedelta = WAIT_LIMIT, poll: float = POLL_SECONDS) -> list[str]:
    """Wait until no dependency is unfinished (or `limit` passes); what is still unfinished, as notices."""
    deadline = datetime.now(timezone.utc) + limit
    while True:
        now = datetime.now(timezone.utc)
        waiting = unfinished(pipe, subscription, now)
        if not waiting or now >= deadline or stop.is_set():
            return [f"source {item}: waited until {now:%H:%M} UTC, sent without it" for item in waiting]
        stop.wait(min(poll, (deadline - now).total_seconds()))
