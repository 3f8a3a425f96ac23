"""`paperfeed schedule`: keep the database current from a long-running process.

The jobs are built from `config/sources.toml` at every start, one per enabled
source with the source name as job id, in APScheduler's memory store: the
schedule lives in configuration and cannot drift in a job store. Each job runs
`runner.run_guarded`, the path `paperfeed ingest` takes, so a job records its
outcome in `runs` like any manual run and an error never reaches APScheduler
(which would only log it). A `(scheduler)` heartbeat row shows the process is
alive; each job's row shows its last and next run.

Stopping (SIGTERM, SIGINT): no new job or catch-up day starts; a running job
gets `shutdown_timeout` seconds to finish its listing. Past that the process
closes its own unfinished runs as `interrupted` and exits: a listing is
written in one transaction, so the database holds all of it or none of it.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from typing import TYPE_CHECKING

from pipeline.config import Config, ConfigError, SourceConfig
from pipeline.run.run import Pipeline
from pipeline.run.sources import run_guarded
from pipeline.store import Store, utc_now
from pipeline.store.schedule import SCHEDULER_ROW, close_running_runs, write_heartbeat

if TYPE_CHECKING:  # APScheduler is imported where a trigger or the scheduler is built, not by every command
    from apscheduler.events import JobExecutionEvent
    from apscheduler.triggers.cron import CronTrigger

logger = logging.getLogger("paperfeed.schedule")

class Stopped(Exception):
    """Raised in the main thread by SIGTERM/SIGINT to leave APScheduler's loop."""


@dataclass(frozen=True)
class Job:
    source: SourceConfig
    expression: str
    zone: str
    trigger: CronTrigger

    def describe(self, now: datetime) -> str:
        upcoming = self.trigger.get_next_fire_time(None, now)
        return f"{self.source.name}: '{self.expression}' {self.zone}, next run {_text(upcoming)}"


def cron_trigger(expression: str, zone: str, where: str) -> CronTrigger:
    """A crontab line (or six fields, seconds first) as a trigger; a bad one is a ConfigError."""
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ConfigError(f"{where}: schedule {expression!r}: expected 5 crontab fields (or 6, seconds first)")
    second, minute, hour, day, month, weekday = fields
    if re.search(r"\d", weekday):
        raise ConfigError(
            f"{where}: schedule {expression!r}: write weekdays as names (mon-fri, sun,mon,...);"
            " APScheduler 3 numbers them from Monday=0, unlike cron"
        )
    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                              day_of_week=weekday, timezone=zone)
    except (ValueError, KeyError, LookupError) as exc:
        raise ConfigError(f"{where}: schedule {expression!r} in {zone!r}: {exc}") from None
    if trigger.get_next_fire_time(None, datetime.now(timezone.utc)) is None:
        # `0 6 30 2 *` is valid field by field and would sit in the scheduler doing nothing, forever.
        raise ConfigError(f"{where}: schedule {expression!r} never fires (no such day: 30 February, 31 April?)")
    return trigger


def source_trigger(source: SourceConfig, where: str) -> tuple[str, str, CronTrigger]:
    """The source's crontab line, its zone and the trigger (configured or the kind's default)."""
    expression, zone = source.schedule_line
    return expression, zone, cron_trigger(expression, zone, where)


def build_jobs(config: Config) -> list[Job]:
    """One job per enabled source, checking every schedule before anything runs."""
    jobs = []
    for source in config.sources.values():
        if not source.enabled:
            continue
        where = f"{config.directory / 'sources.toml'}: source {source.name!r}"
        jobs.append(Job(source, *source_trigger(source, where)))
    return jobs


def latest_fire_time(trigger: CronTrigger, now: datetime, horizon: float) -> datetime | None:
    """The scheduled time a job starting at `now` belongs to (its slot), if within `horizon` seconds."""
    lookback = 1.0
    while True:
        found = trigger.get_next_fire_time(None, now - timedelta(seconds=lookback))
        if found is not None and found <= now:
            break
        if lookback >= horizon:
            return None
        lookback = min(lookback * 60, horizon)
    while True:
        following = trigger.get_next_fire_time(found, found + timedelta(microseconds=1))
        if following is None or following > now:
            return found
        found = following


class Scheduler:
    """A BlockingScheduler running one job per source, with heartbeat and graceful stop."""

    def __init__(self, config: Config, db_path: Path,
                 open_pipeline: Callable[[], AbstractContextManager[Pipeline]], *,
                 now: Callable[[], datetime] | None = None, echo: Callable[[str], None] = print):
        self.settings = config.schedule
        self.jobs = {job.source.name: job for job in build_jobs(config)}
        self.db_path = db_path
        self.open_pipeline = open_pipeline
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.echo = echo
        self.stopping = threading.Event()
        self._hurry = threading.Event()
        self._idle = threading.Condition()
        self._active = 0
        self._in_loop = False
        from apscheduler.events import EVENT_JOB_MISSED
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.blocking import BlockingScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        from pipeline.delivery.waiting import delivery_jobs  # imports this module

        self.deliveries = {job.id: job for job in delivery_jobs(config)}
        # A delivery waiting for its ingests holds a thread of its own, never one an ingest needs.
        self.scheduler = BlockingScheduler(
            timezone=timezone.utc,
            executors={"default": ThreadPoolExecutor(max(1, self.settings.workers) + 1 + len(self.deliveries))},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": self.settings.misfire_grace_time},
        )
        for name, job in self.jobs.items():
            self.scheduler.add_job(self._tick, job.trigger, args=[name], id=name, name=name,
                                   replace_existing=True)
        for job_id, delivery in self.deliveries.items():
            self.scheduler.add_job(self._deliver, delivery.trigger, args=[job_id], id=job_id, name=job_id,
                                   replace_existing=True)
        self.scheduler.add_job(self._beat, IntervalTrigger(seconds=max(self.settings.heartbeat_seconds, 1)),
                               id=SCHEDULER_ROW, name=SCHEDULER_ROW, next_run_time=datetime.now(timezone.utc))
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED)

    # -- running and stopping ---------------------------------------------------

    def serve(self, *, handle_signals: bool = True) -> bool:
        """Run until stopped; True when every job finished, False when one was abandoned."""
        previous = {}
        if handle_signals:
            previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._in_loop = True
            try:
                self.scheduler.start()
            except Stopped:
                pass
            finally:
                self._in_loop = False
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            finished = self._wait_idle(self.settings.shutdown_timeout)
            with Store(self.db_path) as store:
                if not finished:
                    for run_id in close_running_runs(store, "interrupted", "scheduler stopped before the run finished"):
                        self.echo(f"run {run_id}: interrupted: scheduler stopped before the run finished")
                write_heartbeat(store, SCHEDULER_ROW, last_status="stopped")
            return finished
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop(self) -> None:
        """Stop from another thread (the signal handler raises `Stopped` instead)."""
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def _on_signal(self, signum: int, frame) -> None:
        """Leave the scheduler loop; a second signal also stops waiting for a running job.

        Raising is how the main thread leaves APScheduler's loop without taking
        its locks from inside a handler. Should APScheduler swallow it (it
        catches everything around a job submission), the next job or heartbeat
        sees `stopping` and shuts the loop down from its thread.
        """
        first = not self.stopping.is_set()
        self.stopping.set()
        if first:
            self.echo(f"paperfeed schedule: {signal.Signals(signum).name}: stopping")
        else:
            self._hurry.set()
        if self._in_loop:
            raise Stopped()

    def _shutdown_if_stopping(self) -> None:
        if self.stopping.is_set() and self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def _wait_idle(self, timeout: float) -> bool:
        deadline = datetime.now(timezone.utc) + timedelta(seconds=timeout)
        with self._idle:
            while self._active and not self._hurry.is_set():
                left = (deadline - datetime.now(timezone.utc)).total_seconds()
                if left <= 0:
                    return False
                self._idle.wait(min(left, 0.1))
            return not self._active

    @contextmanager
    def _job_running(self) -> Iterator[bool]:
        with self._idle:
            if self.stopping.is_set():
                yield False
                return
            self._active += 1
        try:
            yield True
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    # -- the jobs ------------------------------------------------------------------

    def _guarded(self, name: str, work: Callable[[Pipeline], None]) -> None:
        """Run one job's work on its own pipeline, unless the scheduler is stopping; a failure is echoed."""
        with self._job_running() as allowed:
            if not allowed:
                self._shutdown_if_stopping()
                return
            try:
                with self.open_pipeline() as pipe:
                    work(pipe)
            except Exception as exc:  # noqa: BLE001 - the database or a relay failed; keep the scheduler alive
                logger.debug("job %s failed", name, exc_info=True)
                self.echo(f"paperfeed schedule: {name}: {type(exc).__name__}: {exc}")

    def _tick(self, name: str) -> None:
        job = self.jobs[name]
        slot = latest_fire_time(job.trigger, datetime.now(timezone.utc), self.settings.misfire_grace_time)

        def ingest(pipe: Pipeline) -> None:
            summaries = run_guarded(pipe, job.source, catch_up=True, slot=slot, now=self.now(), stop=self.stopping)
            for summary in summaries:
                self.echo(summary.line())
            status = ",".join(sorted({s.status for s in summaries})) or "up to date"
            write_heartbeat(pipe.store, name, last_run_at=utc_now(), last_status=status,
                            next_run_at=self._next_run(name))

        self._guarded(name, ingest)

    def _deliver(self, job_id: str) -> None:
        """A subscription's delivery, after the ingests it depends on (see `pipeline.delivery.waiting`)."""
        from pipeline.delivery.deliver import deliver
        from pipeline.delivery.waiting import wait_for_ingests

        subscription = self.deliveries[job_id].subscription

        def send(pipe: Pipeline) -> None:
            unfinished = wait_for_ingests(pipe, subscription, self.stopping)
            self.echo(deliver(pipe, subscription, unfinished=unfinished).line())

        self._guarded(job_id, send)

    def _beat(self) -> None:
        """The scheduler's own row (last tick) and every job's next run."""
        self._shutdown_if_stopping()
        try:
            with Store(self.db_path) as store:
                upcoming = {name: self._next_run(name) for name in self.jobs}
                for name, when in upcoming.items():
                    write_heartbeat(store, name, next_run_at=when)
                write_heartbeat(store, SCHEDULER_ROW, last_run_at=utc_now(), last_status="running",
                                next_run_at=min(filter(None, upcoming.values()), default=None))
        except Exception as exc:  # noqa: BLE001 - a locked or full disk must not stop the jobs
            self.echo(f"paperfeed schedule: heartbeat: {type(exc).__name__}: {exc}")

    def _missed(self, event: JobExecutionEvent) -> None:
        self.echo(f"paperfeed schedule: {event.job_id}: missed the run of {_text(event.scheduled_run_time)}")
        if event.job_id in self.jobs:
            with Store(self.db_path) as store:
                write_heartbeat(store, event.job_id, last_status="missed", next_run_at=self._next_run(event.job_id))

    def _next_run(self, name: str) -> str | None:
        job = self.scheduler.get_job(name)
        return _text(job.next_run_time) if job is not None and job.next_run_time else None


def _text(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
