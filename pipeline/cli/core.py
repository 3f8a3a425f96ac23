"""The `paperfeed` command: a thin shell over `pipeline.run.run` and the store.

Expected failures (a bad file, a failing source, broken configuration) end
as one line on stderr and a non-zero exit, never a traceback.

The pipeline (parsers, HTTP, rules) is imported by the commands that use it,
not here: every command, `--help` included, imports this module, and a search
should cost what its query costs.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli.commands import LazyGroup
from pipeline.config import ConfigError, default_db_path, load_config

if TYPE_CHECKING:
    from pipeline.run.run import Pipeline, RunSummary
    from pipeline.store import Store

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
EXIT_FAILED_RUN = 1
EXIT_USAGE = 2


class Session:
    """Opens the store and configuration lazily, so `--help` needs neither."""

    def __init__(self, db_path: Path, config_dir: Path | None):
        self.db_path = db_path
        self.config_dir = config_dir
        self._pipeline: Pipeline | None = None
        self._store: Store | None = None

    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            from pipeline.run.run import Pipeline
            from pipeline.store import Store
            from pipeline.store.sqlite_version import warn_if_affected
            from pipeline.tagging import load_rules

            config = load_config(self.config_dir)
            # Pacing and lock files live next to the database, shared by every process using it.
            config.http = dataclasses.replace(config.http, state_dir=self.db_path.resolve().parent)
            rules = load_rules(config.tags_path)  # broken rules stop us before any fetch
            self._pipeline = Pipeline(store=Store(self.db_path), config=config, tagger=rules.tag,
                                      rules_version=rules.version)
            self.rules = rules
            warn_if_affected()
        return self._pipeline

    def store(self) -> Store:
        """The database alone, for commands that only read it (no configuration or rules loaded)."""
        if self._pipeline is not None:
            return self._pipeline.store
        if self._store is None:
            from pipeline.store import Store
            from pipeline.store.sqlite_version import warn_if_affected

            self._store = Store(self.db_path)
            warn_if_affected()
        return self._store

    def close(self) -> None:
        if self._pipeline is not None:
            self._pipeline.store.close()
        if self._store is not None:
            self._store.close()


def fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"paperfeed: {message}", err=True)
    sys.exit(code)


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite database file (env PAPERFEED_DB; default ./papers.db).")
@click.option("--config", "config_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Configuration folder (env PAPERFEED_CONFIG; default: the shipped config/).")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, config_dir: Path | None) -> None:
    """Keep a SQLite database of new medical-imaging papers current."""
    session = Session(db_path or default_db_path(), config_dir)
    ctx.obj = session
    ctx.call_on_close(session.close)


def _session(ctx: click.Context) -> Session:
    return ctx.find_object(Session)


def _pipeline(ctx: click.Context) -> Pipeline:
    from pipeline.tagging import RuleError

    try:
        return _session(ctx).pipeline()
    except (ConfigError, RuleError) as exc:
        fail(str(exc))


def _store(ctx: click.Context) -> Store:
    return _session(ctx).store()


def _report(summaries: list[RunSummary]) -> None:
    for summary in summaries:
        click.echo(summary.line(), err=summary.failed)
    if any(summary.failed for summary in summaries):
        sys.exit(EXIT_FAILED_RUN)


def _parse_day(value: str | None, option: str = "--date") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected YYYY-MM-DD")


@cli.command()
@click.argument("target", required=False)
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Listing day, for date-addressed sources.")
@click.option("--query", help="Search text, for search sources (overrides the configured query).")
@click.option("--all", "all_sources", is_flag=True,
              help="Every enabled source once, fetching days missed since the last complete run.")
@click.option("--force", is_flag=True,
              help="Parse a URL's answer or a file again even when it is unchanged since its last stored run.")
@click.pass_context
def ingest(ctx: click.Context, target: str | None, day: str | None, query: str | None, all_sources: bool,
           force: bool) -> None:
    """Ingest TARGET: a configured source name, a URL, or a saved page/API file."""
    from pipeline.run.run import ingest_file, ingest_url
    from pipeline.run.sources import run_all, run_guarded

    if all_sources == bool(target) or (all_sources and (day or query)):
        fail("ingest: give either TARGET or --all (without --date/--query)")
    pipe = _pipeline(ctx)
    if force and (all_sources or pipe.config.source(target) is not None):
        fail("ingest --force: only for a URL or a file (a configured source's runs always ask conditionally)")
    if all_sources:
        _report(run_all(pipe))
        return
    parsed_day = _parse_day(day)
    source = pipe.config.source(target)
    if source is not None:
        _report(run_guarded(pipe, source, day=parsed_day, query=query))
        return
    elif re.match(r"^https?://", target):
        summaries = [ingest_url(pipe, target, force=force)]
    elif Path(target).exists():
        summaries = [ingest_file(pipe, Path(target), force=force)]
    else:
        known = ", ".join(sorted(pipe.config.sources)) or "none"
        fail(f"{target}: not a configured source ({known}), an http(s) URL or an existing file")
    _report(summaries)


@cli.command()
@click.option("--days", default=28, show_default=True, type=click.IntRange(0, 366),
              help="Days the charts cover, ending today (0: no charts).")
@click.pass_context
def stats(ctx: click.Context, days: int) -> None:
    """Summarise what the database holds: papers, sightings per source, tags per facet, recent days charted."""
    from pipeline.store.summary import summarise

    store = _pipeline(ctx).store
    summary = summarise(store)
    click.echo(f"{store.path}: {summary.papers} papers, {summary.sightings} sightings, {summary.runs} runs")
    for source, sightings, latest in summary.sources:
        click.echo(f"  source {source}: {sightings} sightings, latest listing {latest}")
    click.echo(f"  tagged papers: {summary.tagged}")
    facets: dict[str, list[str]] = {}
    for tag, papers in summary.tags:
        facet, _, name = tag.rpartition(":")
        facets.setdefault(facet or tag, []).append(f"{name} {papers}" if facet else str(papers))
    for facet, counts in facets.items():
        shown = ", ".join(counts[:8]) + (f", … ({len(counts) - 8} more)" if len(counts) > 8 else "")
        click.echo(f"    {facet}: {shown}")
    if days:
        from pipeline.cli.browse import chart_lines

        for line in chart_lines(store, days):
            click.echo(line)


@cli.command()
@click.option("--write", is_flag=True, help="Rewrite db/schema.sql instead of printing.")
def schema(write: bool) -> None:
    """Print the current schema (as db/schema.sql holds it)."""
    import tempfile

    from pipeline.resources import shipped_path
    from pipeline.store import Store, schema_sql

    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "schema.db") as store:
        text = schema_sql(store)
    if write:
        (shipped_path("db") / "schema.sql").write_text(text)
    else:
        click.echo(text, nl=False)


def main() -> None:
    cli(prog_name="paperfeed")
