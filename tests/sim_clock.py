"""Drive `paperfeed schedule`'s jobs through simulated time, and measure how fresh the database stays.

The scheduler is the real one (`pipeline.run.scheduler.Scheduler`, jobs and
triggers built from `sources.toml`); instead of APScheduler's loop waiting in
real time, `drive` asks each job's trigger for its next fire time, moves the
process clock there with `time-machine` and runs the job exactly as
APScheduler would (`Scheduler._tick`), heartbeat included. A simulated week
takes as long as its runs do. Time stands still during a run, so a delay is
the wait for the next slot, which is what the schedule decides.

After every job the sightings of its source are read: a paper's arrival is
the simulated time its row (with its tags, written in the same transaction)
first exists. A daily digest (every paper listed since yesterday, the way
`paperfeed digest` selects them, without the tag filter so every paper is
measured) records when each paper is first mailed.
"""

from __future__ import annotations

import heapq
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

from pipeline.api import Feed
from pipeline.config import load_config
from pipeline.run.run import Pipeline
from pipeline.run.scheduler import Scheduler
from pipeline.store.reading import PaperFilter, iter_papers
from pipeline.store.schedule import SCHEDULER_ROW

from upstream_sim import Upstream

DIGEST_AT = (time(7, 0), ZoneInfo("America/New_York"))  # one digest a day, before the working day
SIM_SOURCES = {  # simulated source kind -> (source name, kind, options)
    "hf": ("hf-daily", "hf-daily", {}),
    "arxiv-rss": ("arxiv-imaging", "arxiv-rss", {"categories": ["cs.AI"]}),
    "arxiv-api": ("arxiv-imaging-api", "arxiv-api", {"categories": ["cs.AI"]}),
    "biorxiv": ("medrxiv-radiology", "biorxiv", {"server": "medrxiv", "category": "radiology and imaging"}),
    "journal": ("journal-of-imaging", "feed", {"url": "/journal.atom"}),
}


def sim_sources(base: str, schedules: dict[str, tuple[str, str]] | None = None,
                only: tuple[str, ...] | None = None) -> str:
    """`sources.toml` for the simulated upstream (`only` these source names); `schedules`: (crontab line, zone)."""
    tables = []
    for name, kind, options in SIM_SOURCES.values():
        if only is not None and name not in only:
            continue
        lines = ["[[source]]", f'name = "{name}"', f'kind = "{kind}"']
        for key, value in options.items():
            value = f"{base}{value}" if key == "url" else value
            lines.append(f"{key} = {_toml(value)}")
        if kind != "feed":
            lines.append(f'base_url = "{base}"')
        if schedules and name in schedules:
            lines += [f'schedule = "{schedules[name][0]}"', f'timezone = "{schedules[name][1]}"']
        tables.append("\n".join(lines))
    return "\n\n".join(tables) + "\n"


def sim_settings(config_dir: Path) -> None:
    """Fetching from 127.0.0.1 allowed; an hourly heartbeat (a minute's would be most of the work); one
    quick retry (the simulated clock stands still while a run backs off, so waiting longer only costs
    real time)."""
    settings = config_dir / "settings.toml"
    text = settings.read_text().replace("allow_private = []", 'allow_private = ["127.0.0.1"]')
    text = text.replace("retries = 4", "retries = 1").replace("backoff_base = 1.0", "backoff_base = 0.05")
    settings.write_text(text.replace("heartbeat_seconds = 60", "heartbeat_seconds = 3600"))


def _toml(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"'


@dataclass
class Measured:
    """Per simulated source: when each paper appeared upstream, reached the database, was first mailed."""

    appeared: dict[tuple[str, str], datetime]
    stored: dict[tuple[str, str], datetime] = field(default_factory=dict)
    mailed: dict[str, datetime] = field(default_factory=dict)
    stored_twice: list[str] = field(default_factory=list)
    runs: int = 0

    def delays(self, kind: str, to: str = "row") -> tuple[list[float], list[str]]:
        """Minutes from appearance to row (or digest) for every paper of the kind; the keys never reached."""
        minutes, missing = [], []
        for (k, key), at in self.appeared.items():
            if k != kind:
                continue
            reached = self.stored.get((k, key)) if to == "row" else self.mailed.get(key)
            if reached is None:
                missing.append(key)
            else:
                minutes.append(max(0.0, (reached - at).total_seconds() / 60))
        return minutes, missing

    def late(self, kind: str, limit_minutes: float) -> list[tuple[str, float]]:
        late = []
        for (k, key), at in self.appeared.items():
            reached = self.stored.get((k, key))
            if k == kind and reached is not None and (reached - at).total_seconds() / 60 > limit_minutes:
                late.append((key, (reached - at).total_seconds() / 60))
        return sorted(late)


def summary(minutes: list[float]) -> dict[str, float]:
    if not minutes:
        return {"n": 0}
    ordered = sorted(minutes)
    p95 = ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered))) - 1))]
    return {"n": len(ordered), "median": statistics.median(ordered), "p95": p95, "worst": ordered[-1]}


class SimRun:
    """The scheduler of a configuration folder, its database, and the upstream it reads."""

    def __init__(self, upstream: Upstream, config_dir: Path, db_path: Path):
        self.upstream = upstream
        self.config = load_config(config_dir)
        self.session = Feed(db_path, config_dir)
        self.scheduler = Scheduler(self.config, db_path, self._pipeline, echo=lambda line: None)
        self.measured = Measured(dict(upstream.appeared))
        self.kind_of = {name: kind for kind, (name, _, _) in SIM_SOURCES.items()}

    @contextmanager
    def _pipeline(self) -> Iterator[Pipeline]:
        yield self.session.pipeline()  # one thread: the same connection serves every job

    def drive(self, start: datetime, end: datetime) -> Measured:
        """Run every job at each of its fire times in [start, end), plus the heartbeat and the digest."""
        queue: list[tuple[datetime, str]] = []
        for name, job in self.scheduler.jobs.items():
            upcoming = job.trigger.get_next_fire_time(None, start)
            if upcoming is not None:
                heapq.heappush(queue, (upcoming.astimezone(timezone.utc), name))
        beat = timedelta(seconds=max(self.config.schedule.heartbeat_seconds, 1))
        heapq.heappush(queue, (start, SCHEDULER_ROW))
        for day in range((end - start).days + 2):
            at = datetime.combine(start.date() + timedelta(days=day), DIGEST_AT[0], DIGEST_AT[1])
            if start <= at < end:
                heapq.heappush(queue, (at.astimezone(timezone.utc), "(digest)"))
        with time_machine.travel(start, tick=False) as clock:
            while queue:
                at, name = heapq.heappop(queue)
                if at >= end:
                    break
                clock.move_to(at)
                if name == SCHEDULER_ROW:
                    self.scheduler._beat()
                    heapq.heappush(queue, (at + beat, name))
                elif name == "(digest)":
                    self._digest(at)
                else:
                    self.scheduler._tick(name)
                    self.measured.runs += 1
                    self._record(name, at)
                    job = self.scheduler.jobs[name]
                    upcoming = job.trigger.get_next_fire_time(None, at + timedelta(seconds=1))
                    if upcoming is not None:
                        heapq.heappush(queue, (upcoming.astimezone(timezone.utc), name))
        return self.measured

    def _record(self, source: str, at: datetime) -> None:
        kind = self.kind_of.get(source)
        store = self.session.pipeline().store
        rows = store.query(
            "SELECT i.scheme || ':' || i.value AS key FROM sightings s JOIN identifiers i ON i.paper_id = s.paper_id"
            " WHERE s.source = ? AND i.scheme IN ('arxiv', 'doi')",
            (source,),
        )
        for row in rows:
            self.measured.stored.setdefault((kind, row["key"]), at)

    def _digest(self, at: datetime) -> None:
        store = self.session.pipeline().store
        since = (at.date() - timedelta(days=1)).isoformat()
        for paper in iter_papers(store, PaperFilter(since=since), order="upvotes"):
            for key in (f"arxiv:{paper['arxiv_id']}" if paper.get("arxiv_id") else None,
                        f"doi:{paper['doi']}" if paper.get("doi") else None):
                if key:
                    self.measured.mailed.setdefault(key, at)

    def duplicates(self) -> list[str]:
        """arXiv ids or DOIs held by more than one paper row: a paper stored twice."""
        store = self.session.pipeline().store
        rows = store.query(
            "SELECT 'arxiv:' || arxiv_id AS key FROM papers WHERE arxiv_id IS NOT NULL GROUP BY arxiv_id HAVING count(*) > 1"
            " UNION ALL SELECT 'doi:' || lower(doi) FROM papers WHERE doi IS NOT NULL GROUP BY lower(doi) HAVING count(*) > 1"
        )
        return [row["key"] for row in rows]

    def close(self) -> None:
        self.session.close()


def first_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)
