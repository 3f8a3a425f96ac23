"""The `paperfeed` command: a thin shell over `pipeline.api.Feed`, the object a script uses too.

Expected failures (a bad file, a failing source, broken configuration) end
as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import date
from pathlib import Path

import click

from pipeline.api import Feed, ReadOnlyError, UnknownTarget
from pipeline.cli.commands import LazyGroup
from pipeline.config import ConfigError, default_db_path
from pipeline.output.terminal import say
from pipeline.run.run import Pipeline, RunSummary
from pipeline.store import DatabaseUnusable, Store, WriteFailed
from pipeline.store.summary import summarise
from pipeline.tagging import RuleError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
EXIT_FAILED_RUN = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> None:
    say(f"paperfeed: {message}", err=True)
    sys.exit(code)


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite database file (env PAPERFEED_DB; default ./papers.db).")
@click.option("--config", "config_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Configuration folder (env PAPERFEED_CONFIG; default: the shipped config/).")
@click.option("--read-only", "read_only", is_flag=True,
              help="Open the database without migrating or writing it (a copy on a read-only file or mount).")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, config_dir: Path | None, read_only: bool) -> None:
    """Keep a SQLite database of new medical-imaging papers current."""
    # Opened lazily (on the first command that needs it), so `--help` needs no database or configuration.
    feed = Feed(db_path or default_db_path(), config_dir, read_only=read_only)
    ctx.obj = feed
    ctx.call_on_close(feed.close)


def _session(ctx: click.Context) -> Feed:
    """The command's Feed, not yet opened."""
    return ctx.find_object(Feed)


def _feed(ctx: click.Context) -> Feed:
    """The command's Feed, opened: configuration and rule errors end here as one line and exit 2."""
    feed = _session(ctx)
    try:
        feed.pipeline()
    except (ConfigError, RuleError, DatabaseUnusable) as exc:
        fail(str(exc))
    except sqlite3.OperationalError as exc:  # --read-only on a file that is not there
        fail(f"{feed.db_path}: {exc}")
    return feed


def _pipeline(ctx: click.Context) -> Pipeline:
    return _feed(ctx).pipeline()


def _report(summaries: list[RunSummary]) -> None:
    for summary in summaries:
        say(summary.line(), err=summary.failed)
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
    if all_sources == bool(target) or (all_sources and (day or query)):
        fail("ingest: give either TARGET or --all (without --date/--query)")
    if force and all_sources:
        fail("ingest --force: only for a URL or a file (a configured source's runs always ask conditionally)")
    feed = _feed(ctx)
    try:
        _report(feed.ingest_all() if all_sources
                else feed.ingest(target, day=_parse_day(day), query=query, force=force))
    except (UnknownTarget, ReadOnlyError) as exc:
        fail(str(exc))


@cli.command()
@click.option("--days", default=28, show_default=True, type=click.IntRange(0, 366),
              help="Days the charts cover, ending today (0: no charts).")
@click.pass_context
def stats(ctx: click.Context, days: int) -> None:
    """Summarise what the database holds: papers, sightings per source, tags per facet, recent days charted."""
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
    from pipeline.store import schema_sql

    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "schema.db") as store:
        text = schema_sql(store)
    if write:
        (shipped_path("db") / "schema.sql").write_text(text)
    else:
        click.echo(text, nl=False)


def main() -> None:
    # Commands that open the store themselves still end in one line on an unusable
    # database or a write the disk refused.
    try:
        cli(prog_name="paperfeed")
    except DatabaseUnusable as exc:
        fail(str(exc))
    except WriteFailed as exc:
        fail(str(exc), EXIT_FAILED_RUN)
