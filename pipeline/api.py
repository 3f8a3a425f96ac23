"""The one object every caller uses: `Feed`, what `pipeline.open()` returns.

The `paperfeed` command, the scheduler's jobs, `bench/` and a notebook all
go through a Feed, so each operation has one path: `ingest` and
`ingest_all` run sources (`run.sources`), `backfill` walks past days,
`reparse` replays kept responses, `papers` and `search` read typed `Paper`s
back, `retag` re-applies the rules and `status` judges health with the same
rule `paperfeed status` prints. Configuration and tag rules are loaded on
first use and checked then (`ConfigError`, `RuleError`).

`read_only=True` opens an existing database without migrating it and
without writing (a copy on a read-only mount, a file another process owns);
every method that writes raises `ReadOnlyError` instead.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from pipeline.config import Config, SourceConfig, db_path_from, load_config
from pipeline.delivery.deliver import DeliveryOutcome, deliver as deliver_subscription
from pipeline.delivery.subscriptions import Subscription, load as load_subscriptions
from pipeline.delivery.zotero import PushOutcome, ZoteroTarget, push as zotero_push
from pipeline.model import Paper
from pipeline.run.backfill import DayResult, backfill as walk_days
from pipeline.run.health import SourceHealth, assess
from pipeline.run.liveness import scheduler_lines
from pipeline.run.reparse import reparse as replay_kept
from pipeline.run.run import EntryProgress, Pipeline, RunSummary, ingest_bytes, ingest_file, ingest_url, today_utc
from pipeline.run.sources import run_all, run_guarded
from pipeline.run.staleness import Finding, scheduler_findings
from pipeline.store import Store
from pipeline.store import labels as label_store
from pipeline.store import tags as tag_store
from pipeline.store.reading import PaperFilter, iter_papers, search as search_rows
from pipeline.tagging import RuleSet, load_rules
from pipeline.tagging.check import LabelledPaper, TagCheck, check

Day = date | str | None
TagSelection = str | Iterable[str | Iterable[str]] | None


class ReadOnlyError(Exception):
    """A write asked of a Feed opened with `read_only=True`."""


class UnknownTarget(ValueError):
    """An ingest or backfill target that is neither a configured source, a URL nor a file."""


@dataclass(frozen=True)
class Status:
    """Every enabled source's health and the scheduler's liveness, as `paperfeed status` shows them."""

    sources: tuple[SourceHealth, ...]
    scheduler: tuple[str, ...]
    scheduler_died: bool
    stopped: tuple[Finding, ...] = ()  # a scheduler that stopped while sources' slots went by

    @property
    def healthy(self) -> bool:
        return not self.scheduler_died and not self.stopped and all(health.healthy for health in self.sources)


def as_day(value: Day, what: str = "day") -> date | None:
    """A date from a date or an ISO string; ValueError naming `what` otherwise."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {value!r}: expected YYYY-MM-DD") from None


def tag_groups(tag: TagSelection) -> tuple[tuple[str, ...], ...]:
    """`"a"` → a; `["a", "b"]` → a and b; `[("a", "b")]` or `["a,b"]` → a or b."""
    if tag is None:
        return ()
    items = [tag] if isinstance(tag, str) else list(tag)
    groups = []
    for item in items:
        names = item.split(",") if isinstance(item, str) else list(item)
        group = tuple(name.strip() for name in names if name.strip())
        if group:
            groups.append(group)
    return tuple(groups)


class Feed:
    """A paperfeed database and its configuration (a folder, a loaded `Config`, or None: the shipped `config/`)."""

    def __init__(self, db: str | os.PathLike | None, config: str | os.PathLike | Config | None = None, *,
                 read_only: bool = False):
        self._db = Path(db) if db is not None else None
        # A configuration folder, or one already loaded (and perhaps adjusted, as `bench/` does).
        self._loaded = config if isinstance(config, Config) else None
        self.config_dir = self._loaded.directory if self._loaded else Path(config) if config is not None else None
        self.read_only = read_only
        self._pipeline: Pipeline | None = None
        self._rules: RuleSet | None = None

    # -- opening ----------------------------------------------------------

    @property
    def db_path(self) -> Path:
        """The database: as given, else PAPERFEED_DB, else `[storage] db` of the configuration, else ./papers.db."""
        if self._db is None:
            self._db = db_path_from(self._loaded or self.config_dir)
        return self._db

    @db_path.setter
    def db_path(self, value: str | os.PathLike) -> None:
        self._db = Path(value)

    def pipeline(self) -> Pipeline:
        """Store, configuration and tagger, opened once; configuration and rule errors surface here."""
        if self._pipeline is None:
            config = self._loaded or load_config(self.config_dir)
            # Pacing and lock files live next to the database, shared by every process using it.
            config.http = dataclasses.replace(config.http, state_dir=self.db_path.resolve().parent)
            rules = load_rules(config.tags_path)  # broken rules stop us before any fetch
            self._pipeline = Pipeline(store=Store(self.db_path, read_only=self.read_only), config=config,
                                      tagger=rules.tag, rules_version=rules.version)
            self._rules = rules
        return self._pipeline

    @property
    def store(self) -> Store:
        return self.pipeline().store

    @property
    def config(self) -> Config:
        return self.pipeline().config

    @property
    def rules(self) -> RuleSet:
        """The loaded tag rules (what `explain` asks why a tag did not fire)."""
        self.pipeline()
        return self._rules

    def close(self) -> None:
        if self._pipeline is not None:
            self._pipeline.store.close()
            self._pipeline = None

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _writable(self, what: str) -> Pipeline:
        if self.read_only:
            raise ReadOnlyError(f"{self.db_path} is opened read-only: {what} needs a writable database")
        return self.pipeline()

    def source(self, name: str) -> SourceConfig:
        """The configured source; UnknownTarget listing the configured ones otherwise."""
        found = self.config.source(name)
        if found is None:
            known = ", ".join(sorted(self.config.sources)) or "none"
            raise UnknownTarget(f"{name}: not a configured source ({known})")
        return found

    # -- writing: every path below ends in run.run_unit -------------------------

    def check_ingest(self, target: str | os.PathLike, *, day: Day = None, query: str | None = None,
                     as_source: str | None = None, force: bool = False) -> None:
        """UnknownTarget when `ingest` with these arguments cannot mean anything (checked before any fetch)."""
        text = str(target)
        source = self.config.source(text)
        known = ", ".join(sorted(self.config.sources)) or "none"
        if source is not None:
            if as_source:
                raise UnknownTarget(f"--as {as_source}: only for URLs and files; {text} is a configured source")
            if force:
                raise UnknownTarget(f"{text}: --force is only for a URL or a file (a configured source's"
                                    " runs always ask conditionally)")
            if problem := source.kind_type.unit_problem(day=as_day(day, "--date"), query=query):
                raise UnknownTarget(f"{text}: {problem}")
        elif day is not None or query is not None:
            raise UnknownTarget(f"{text}: --date and --query are for configured sources ({known})")
        elif not (text == "-" or re.match(r"^https?://", text) or Path(text).exists()):
            raise UnknownTarget(f"{text}: not a configured source ({known}), an http(s) URL, an existing file or -")

    def ingest(self, target: str | os.PathLike, *, day: Day = None, query: str | None = None,
               as_source: str | None = None, progress: EntryProgress | None = None,
               force: bool = False) -> list[RunSummary]:
        """A configured source (one day, default the latest), a URL, or a saved page/API file.

        A URL or file is filed under `adhoc:<what it is>`, or under `as_source`;
        `progress` watches a file's entries being stored. A URL's answer or a file
        whose bytes are those of its last stored run is a `not-modified` run;
        `force` parses it again (not for configured sources, whose runs always ask
        conditionally).
        """
        pipe = self._writable("ingest")
        self.check_ingest(target, day=day, query=query, as_source=as_source, force=force)
        text = str(target)
        source = pipe.config.source(text)
        if source is not None:
            return run_guarded(pipe, source, day=as_day(day, "--date"), query=query)
        if re.match(r"^https?://", text):
            return [ingest_url(pipe, text, name=as_source, force=force)]
        return [ingest_file(pipe, Path(text), name=as_source, progress=progress, force=force)]

    def ingest_bytes(self, raw: bytes, label: str, *, as_source: str | None = None) -> list[RunSummary]:
        """Content already read (stdin), its format told from the content, recorded with `label` as target."""
        return [ingest_bytes(self._writable("ingest"), raw, label, name=as_source)]

    def ingest_all(self, *, now: datetime | None = None) -> list[RunSummary]:
        """Every enabled source once, each with the days missed since its last complete run."""
        return run_all(self._writable("ingest"), now=now)

    def backfill(self, source: str, since: Day, until: Day = None, *, force: bool = False) -> Iterator[DayResult]:
        """Past days of a date-addressed source, oldest first, one `DayResult` per day (lazily).

        `until` defaults to yesterday (UTC). Complete days are skipped unless
        `force`; the walk stops after a rate-limited day or a held lock.
        """
        pipe = self._writable("backfill")
        first = as_day(since, "--since")
        last = as_day(until, "--until") or today_utc() - timedelta(days=1)
        if first is None or first > last:
            raise ValueError(f"--since {first} is after --until {last}")
        return walk_days(pipe, self.source(source), first, last, force=force)

    def reparse(self, *, source: str | None = None, since: Day = None) -> list[RunSummary]:
        """Papers rebuilt from kept raw responses (`[storage] keep_raw`), without fetching."""
        day = as_day(since, "--since")
        return replay_kept(self._writable("reparse"), source=source, since=day.isoformat() if day else None)

    def retag(self, *, progress: Callable[[int], None] | None = None) -> tag_store.RetagReport:
        """The current tag rules applied to every stored paper; what changed, per tag."""
        pipe = self._writable("retag")
        return tag_store.retag(pipe.store, pipe.tagger, pipe.rules_version, progress=progress)

    # -- labels: people correcting the tags -------------------------------------

    def label(self, paper: str, tag: str, value: bool, *, note: str = "", who: str | None = None
              ) -> label_store.Label:
        """Say whether `paper` (arXiv id, DOI or paper id) has `tag`.

        The label overrides the rules in every view, export and digest and
        survives `retag`; the newest label per paper and tag wins. Raises
        `LabelError` (`UnknownPaper` for a paper not in the database).
        """
        store = self._writable("label").store
        paper_id = tag_store.resolve_paper_id(store, paper)
        if paper_id is None:
            raise label_store.UnknownPaper(f"{paper}: no such paper in {store.path}")
        return label_store.set_label(
            store, label_store.Label(paper_id, tag, "yes" if value else "no", who or label_store.default_who(), note),
            self.rules.tags)

    def labels(self) -> list[label_store.Label]:
        """Every stored label, by paper and tag."""
        return list(label_store.stored_labels(self.store))

    def import_labels(self, stream: IO[str], source: str = "<labels>") -> int:
        """Labels from JSON lines (as `export_labels` writes them), all or none; how many."""
        return label_store.import_labels(self._writable("labels import").store, stream, self.rules.tags, source)

    def export_labels(self, stream: IO[str]) -> int:
        return label_store.export_labels(self.store, stream)

    def labelled_papers(self) -> list[LabelledPaper]:
        """Every labelled paper with its verdicts per tag: what `check_rules` scores by default."""
        return [LabelledPaper(paper_id, title, abstract, tuple(sorted(verdicts.items())))
                for paper_id, title, abstract, verdicts in label_store.labelled_papers(self.store)]

    def check_rules(self, papers: list[LabelledPaper] | None = None) -> list[TagCheck]:
        """The current rules scored per tag on `papers` (default: the database's labels)."""
        return check(self.rules, self.labelled_papers() if papers is None else papers)

    # -- reading ----------------------------------------------------------

    def selection(self, *, tag: TagSelection = None, since: Day = None, until: Day = None,
                  source: str | None = None, period: str = "new") -> PaperFilter:
        """The filter `papers`, `search` and the exports share (see `store.reading.PaperFilter`)."""
        first, last = as_day(since, "since"), as_day(until, "until")
        return PaperFilter(tags=tag_groups(tag), since=first.isoformat() if first else None,
                           until=last.isoformat() if last else None, source=source, period=period)

    def papers(self, *, tag: TagSelection = None, since: Day = None, until: Day = None, source: str | None = None,
               period: str = "new", order: str = "date", limit: int | None = None) -> list[Paper]:
        """Stored papers, latest listed first (`order="upvotes"`: most upvoted), as `Paper`s.

        `tag` is one tag, or several that must all match (a tuple, or commas,
        within one item means any of them); `since`/`until` are days: when the
        paper became new (`period="new"`) or any day a listing showed it
        (`"seen"`); `source` a source name or a glob (`hf-*`).
        """
        selection = self.selection(tag=tag, since=since, until=until, source=source, period=period)
        return [Paper.from_row(row) for row in iter_papers(self.store, selection, order=order, limit=limit)]

    def search(self, query: str, *, tag: TagSelection = None, since: Day = None, until: Day = None,
               source: str | None = None, period: str = "new", limit: int = 20, order: str = "rank") -> list[Paper]:
        """Full-text search (FTS5 syntax plus the field's words: X-ray, U-Net), best match first."""
        selection = self.selection(tag=tag, since=since, until=until, source=source, period=period)
        return [Paper.from_row(row) for row in search_rows(self.store, query, selection, limit=limit, order=order)]

    def papers_frame(self, **filters: Any):
        """`papers(**filters)` as a pandas DataFrame, one row per paper (needs the `pandas` extra)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("papers_frame needs pandas: pip install 'paperfeed[pandas]'") from None
        rows = [paper.as_dict() for paper in self.papers(**filters)]
        return pandas.DataFrame(rows, columns=list(Paper.__dataclass_fields__))

    # -- delivering -----------------------------------------------------------

    def subscriptions(self) -> dict[str, Subscription]:
        """The subscriptions of this configuration (config/subscriptions.toml), by name."""
        return load_subscriptions(self.config.directory)

    def deliver(self, name: str | None = None, *, dry_run: bool = False) -> list[DeliveryOutcome]:
        """Send each subscription (or `name`) what is new for it, as `paperfeed deliver` does."""
        found = self.subscriptions()
        if name is not None and name not in found:
            raise UnknownTarget(f"no subscription {name!r} (have: {', '.join(found) or 'none'})")
        pipe = self.pipeline() if dry_run else self._writable("deliver")
        return [deliver_subscription(pipe, sub, dry_run=dry_run) for sub in ([found[name]] if name else found.values())]

    def zotero_push(self, papers: Iterable[Paper | dict[str, Any]], *, library: str | None = None,
                    collection: str | None = None, base_url: str | None = None) -> PushOutcome:
        """Create Zotero items for `papers` (from `papers()` or `search()`), skipping those pushed before."""
        pipe = self._writable("push to Zotero")
        target = ZoteroTarget.from_settings(pipe.config.settings, str(pipe.config.directory / "settings.toml"),
                                            library=library, collection=collection, base_url=base_url)
        rows = [p.as_dict() if isinstance(p, Paper) else p for p in papers]
        return zotero_push(pipe.store, target, rows)

    def status(self, *, now: datetime | None = None) -> Status:
        """Each enabled source's health and the scheduler's; `Status.healthy` is `paperfeed status`'s exit 0."""
        pipe = self.pipeline()
        if not self.read_only:
            pipe.store.mark_interrupted_runs()
        now = now or datetime.now(timezone.utc)
        sources = tuple(assess(pipe.store, source, now) for source in pipe.config.sources.values() if source.enabled)
        lines, died = scheduler_lines(pipe.store, now, pipe.config.schedule)
        stopped = tuple(scheduler_findings(pipe.store, pipe.config, now))
        return Status(sources=sources, scheduler=tuple(lines), scheduler_died=died, stopped=stopped)


def open(db: str | os.PathLike, config: str | os.PathLike | Config | None = None,  # noqa: A001
         read_only: bool = False) -> Feed:
    """A Feed over the database `db` (created and migrated unless `read_only`)."""
    feed = Feed(db, config, read_only=read_only)
    feed.pipeline()  # a missing file, broken configuration or rules fail here, not at the first call
    return feed
