"""The `paperfeed` command: a thin shell over `pipeline.api.Feed`, the object a script uses too.

Expected failures (a bad file, a failing source, broken configuration) end
as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import sys
from datetime import date
from pathlib import Path

import click

from pipeline.api import Feed, ReadOnlyError, UnknownTarget
from pipeline.cli.show import entry_bar, print_json, progress_on_terminal, wait_with_bar
from pipeline.config import ConfigError, load_config
from pipeline.http.waits import show_waits_with
from pipeline.cli.commands import LazyGroup
from pipeline.output.terminal import say
from pipeline.run.run import Pipeline, RunSummary
from pipeline.store import DatabaseUnusable, Store, WriteFailed
from pipeline.store.summary import summarise
from pipeline.tagging import RuleError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
EXIT_FAILED_RUN = 1
EXIT_USAGE = 2
PROGRESS_BYTES = 2 * 1024 * 1024  # a smaller file is stored before a bar would be read


def fail(message: str, code: int = EXIT_USAGE) -> None:
    say(f"paperfeed: {message}", err=True)
    sys.exit(code)


def _set_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """--db/--config given after the subcommand: the same as before it."""
    feed = ctx.find_object(Feed)
    if value is not None and feed is not None:
        if param.name == "db_path":
            feed.db_path = value
        else:
            feed.config_dir = value


def _path_options() -> list[click.Option]:
    return [
        click.Option(["--db", "db_path"], type=click.Path(dir_okay=False, path_type=Path), expose_value=False,
                     callback=_set_path, is_eager=True, help="SQLite database file (as before the command)."),
        click.Option(["--config", "config_dir"], type=click.Path(file_okay=False, path_type=Path),
                     expose_value=False, callback=_set_path, is_eager=True,
                     help="Configuration folder (as before the command)."),
    ]


class PaperfeedGroup(LazyGroup):
    """Every subcommand also accepts --db and --config, so `paperfeed status --db x.db` works."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = {opt for param in cmd.params for opt in getattr(param, "opts", ())}
        cmd.params.extend(option for option in _path_options() if not set(option.opts) & taken)
        super().add_command(cmd, name)


@click.group(cls=PaperfeedGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="paperfeed", prog_name="paperfeed", message="%(prog)s %(version)s")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite database file (env PAPERFEED_DB, else [storage] db in settings.toml, else ./papers.db).")
@click.option("--config", "config_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Configuration folder (env PAPERFEED_CONFIG; default: the shipped config/).")
@click.option("--read-only", "read_only", is_flag=True,
              help="Open the database without migrating or writing it (a copy on a read-only file or mount).")
@click.option("-v", "--verbose", count=True, help="Also log each HTTP retry and wait (-vv: debug detail).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems: no summary lines, no progress bars.")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, config_dir: Path | None, read_only: bool, verbose: int,
        quiet: bool) -> None:
    """Keep a SQLite database of new medical-imaging papers current."""
    # Opened lazily (on the first command that needs it), so `--help` needs no database or configuration;
    # without --db the path is resolved then (PAPERFEED_DB, [storage] db, ./papers.db).
    feed = Feed(db_path, config_dir, read_only=read_only)
    ctx.obj = feed
    ctx.call_on_close(feed.close)
    ctx.meta["paperfeed.quiet"] = quiet
    if progress_on_terminal(quiet) and ctx.invoked_subcommand != "schedule":  # its jobs wait in parallel threads
        show_waits_with(wait_with_bar)
    if verbose:
        logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO, stream=sys.stderr,
                            format="%(asctime)s paperfeed: %(name)s: %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z")


def _quiet() -> bool:
    return click.get_current_context().meta.get("paperfeed.quiet", False)


def _session(ctx: click.Context) -> Feed:
    """The command's Feed, not yet opened."""
    return ctx.find_object(Feed)


def _db_path(ctx: click.Context) -> Path:
    """Where the command's database is; a broken `[storage] db` ends here as one line."""
    try:
        return _session(ctx).db_path
    except ConfigError as exc:
        fail(str(exc))


def _feed(ctx: click.Context, existing: bool = False) -> Feed:
    """The command's Feed, opened: configuration and rule errors end here as one line and exit 2.

    A read command asks for an `existing` database: run from the wrong folder, it names the
    file it looked for instead of making an empty one and reporting on that."""
    feed = _session(ctx)
    if existing and feed._pipeline is None:
        try:
            load_config(feed.config_dir)  # a broken configuration is named before a missing file
        except ConfigError as exc:
            fail(str(exc))
    if existing and not _db_path(ctx).exists():
        fail(f"no database at {feed.db_path.resolve()} (give --db PATH, set PAPERFEED_DB or [storage] db in"
             " settings.toml; `paperfeed ingest` creates one)")
    try:
        feed.pipeline()
    except (ConfigError, RuleError, DatabaseUnusable) as exc:
        fail(str(exc))
    except sqlite3.OperationalError as exc:  # --read-only on a file that is not there
        fail(f"{feed.db_path}: {exc}")
    return feed


def _pipeline(ctx: click.Context, existing: bool = False) -> Pipeline:
    return _feed(ctx, existing).pipeline()


def _report(summaries: list[RunSummary]) -> None:
    quiet = _quiet()
    for summary in summaries:
        if summary.failed or not quiet:
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
@click.argument("targets", nargs=-1, metavar="[TARGET]...")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Listing day, for date-addressed sources.")
@click.option("--query", help="Search text, for search sources (overrides the configured query).")
@click.option("--all", "all_sources", is_flag=True,
              help="Every enabled source once, fetching days missed since the last complete run.")
@click.option("--as", "as_source", metavar="SOURCE",
              help="File URL/file runs under this source name (default: adhoc:<what the content is>).")
@click.option("--force", is_flag=True,
              help="Parse a URL's answer or a file again even when it is unchanged since its last stored run.")
@click.pass_context
def ingest(ctx: click.Context, targets: tuple[str, ...], day: str | None, query: str | None, all_sources: bool,
           as_source: str | None, force: bool) -> None:
    """Ingest each TARGET: a configured source name, a URL, a saved page/API file, or - (stdin)."""
    if all_sources == bool(targets) or (all_sources and (day or query or as_source)):
        fail("ingest: give either TARGET or --all (without --date/--query/--as)")
    if force and all_sources:
        fail("ingest --force: only for a URL or a file (a configured source's runs always ask conditionally)")
    feed = _feed(ctx)
    parsed_day = _parse_day(day)
    try:
        if all_sources:
            _report(feed.ingest_all())
            return
        for target in targets:  # every target checked before the first is fetched
            feed.check_ingest(target, day=parsed_day, query=query, as_source=as_source, force=force)
        summaries = []
        for target in targets:
            if target == "-":
                summaries += feed.ingest_bytes(_read_stdin(feed), "<stdin>", as_source=as_source)
            else:
                summaries += feed.ingest(target, day=parsed_day, query=query, as_source=as_source,
                                         progress=_bar_for(Path(target)), force=force)
        _report(summaries)
    except (UnknownTarget, ReadOnlyError) as exc:
        fail(str(exc))


def _bar_for(path: Path):
    """A bar over the entries of a large file, on a terminal; None otherwise."""
    if not progress_on_terminal(_quiet()) or not path.is_file() or path.stat().st_size < PROGRESS_BYTES:
        return None
    return lambda total: entry_bar(f"storing {path.name}", total)


def _read_stdin(feed: Feed) -> bytes:
    """stdin up to the same size cap as an HTTP body."""
    cap = feed.config.http.max_bytes
    raw = sys.stdin.buffer.read(cap + 1)
    if len(raw) > cap:
        fail(f"-: more than {cap} bytes on stdin ([http] max_bytes)", EXIT_FAILED_RUN)
    return raw


@cli.command()
@click.option("--days", default=28, show_default=True, type=click.IntRange(0, 366),
              help="Days the charts cover, ending today (0: no charts).")
@click.option("--all", "every_tag", is_flag=True, help="Every tag of each facet (default: the 8 most common).")
@click.option("--json", "as_json", is_flag=True, help="The counts as JSON (no charts).")
@click.pass_context
def stats(ctx: click.Context, days: int, every_tag: bool, as_json: bool) -> None:
    """Summarise what the database holds: papers, sightings per source, tags per facet, recent days charted."""
    store = _pipeline(ctx, existing=True).store
    summary = summarise(store)
    if as_json:
        print_json({"database": str(store.path), **dataclasses.asdict(summary),
                    "sources": [{"source": name, "sightings": n, "latest_listing": latest}
                                for name, n, latest in summary.sources],
                    "tags": dict(summary.tags)})
        return
    click.echo(f"{store.path}: {summary.papers} papers, {summary.sightings} sightings, {summary.runs} runs")
    for source, sightings, latest in summary.sources:
        click.echo(f"  source {source}: {sightings} sightings, latest listing {latest}")
    click.echo(f"  tagged papers: {summary.tagged}")
    facets: dict[str, list[str]] = {}
    for tag, papers in summary.tags:
        facet, _, name = tag.rpartition(":")
        facets.setdefault(facet or tag, []).append(f"{name} {papers}" if facet else str(papers))
    for facet, counts in facets.items():
        shown = ", ".join(counts) if every_tag else (
            ", ".join(counts[:8]) + (f", … ({len(counts) - 8} more; --all)" if len(counts) > 8 else ""))
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
