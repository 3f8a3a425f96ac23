"""The `paperfeed` command: a thin shell over `pipeline.run.run` and the store.

Expected failures (a bad file, a failing source, broken configuration) end
as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sys
from datetime import date
from pathlib import Path

import click

from pipeline.cli.show import entry_bar, progress_on_terminal, wait_with_bar
from pipeline.config import ConfigError, db_path_from, load_config
from pipeline.http.waits import show_waits_with
from pipeline.run.run import Pipeline, RunSummary, ingest_bytes, ingest_file, ingest_url
from pipeline.run.sources import run_all, run_guarded
from pipeline.store import Store
from pipeline.store.summary import summarise
from pipeline.tagging import RuleError, load_rules

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
EXIT_FAILED_RUN = 1
EXIT_USAGE = 2
PROGRESS_BYTES = 2 * 1024 * 1024  # a smaller file is stored before a bar would be read


class Session:
    """Opens the store and configuration lazily, so `--help` needs neither."""

    def __init__(self, db_path: Path | None, config_dir: Path | None):
        self.given_db_path = db_path
        self.config_dir = config_dir
        self.quiet = False
        self._pipeline: Pipeline | None = None

    @property
    def db_path(self) -> Path:
        """--db, else PAPERFEED_DB, else `[storage] db` in settings.toml, else ./papers.db."""
        if self.given_db_path is not None:
            return self.given_db_path
        return db_path_from(self.config_dir)

    def pipeline(self, existing: bool = False) -> Pipeline:
        """The store, configuration and rules. A read command asks for an `existing` database, so
        when run from the wrong folder it names the file it looked for instead of making an empty one."""
        if self._pipeline is None:
            config = load_config(self.config_dir)
            if existing and not self.db_path.exists():
                raise MissingDatabase(self.db_path)
            # Pacing and lock files live next to the database, shared by every process using it.
            config.http = dataclasses.replace(config.http, state_dir=self.db_path.resolve().parent)
            rules = load_rules(config.tags_path)  # broken rules stop us before any fetch
            self._pipeline = Pipeline(store=Store(self.db_path), config=config, tagger=rules.tag,
                                      rules_version=rules.version)
            self.rules = rules
        return self._pipeline

    def close(self) -> None:
        if self._pipeline is not None:
            self._pipeline.store.close()


class MissingDatabase(Exception):
    """A read command pointed at a database file that does not exist."""

    def __init__(self, path: Path):
        super().__init__(
            f"no database at {path.resolve()} (give --db PATH, set PAPERFEED_DB or [storage] db in settings.toml;"
            " `paperfeed ingest` creates one)"
        )


def fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"paperfeed: {message}", err=True)
    sys.exit(code)


def _set_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """--db/--config given after the subcommand: the same as before it."""
    session = ctx.find_object(Session)
    if value is not None and session is not None:
        setattr(session, "given_db_path" if param.name == "db_path" else "config_dir", value)


def _path_options() -> list[click.Option]:
    return [
        click.Option(["--db", "db_path"], type=click.Path(dir_okay=False, path_type=Path), expose_value=False,
                     callback=_set_path, is_eager=True, help="SQLite database file (as before the command)."),
        click.Option(["--config", "config_dir"], type=click.Path(file_okay=False, path_type=Path),
                     expose_value=False, callback=_set_path, is_eager=True,
                     help="Configuration folder (as before the command)."),
    ]


class PaperfeedGroup(click.Group):
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
@click.option("-v", "--verbose", count=True, help="Also log each HTTP retry and wait (-vv: debug detail).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems: no summary lines, no progress bars.")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, config_dir: Path | None, verbose: int, quiet: bool) -> None:
    """Keep a SQLite database of new medical-imaging papers current."""
    session = Session(db_path, config_dir)
    session.quiet = quiet
    ctx.obj = session
    ctx.call_on_close(session.close)
    if progress_on_terminal(quiet) and ctx.invoked_subcommand != "schedule":  # its jobs wait in parallel threads
        show_waits_with(wait_with_bar)
    if verbose:
        logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO, stream=sys.stderr,
                            format="%(asctime)s paperfeed: %(name)s: %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z")


def _session(ctx: click.Context) -> Session:
    return ctx.find_object(Session)


def _pipeline(ctx: click.Context, existing: bool = False) -> Pipeline:
    try:
        return _session(ctx).pipeline(existing)
    except (ConfigError, RuleError, MissingDatabase) as exc:
        fail(str(exc))


def _report(summaries: list[RunSummary]) -> None:
    quiet = click.get_current_context().find_object(Session).quiet
    for summary in summaries:
        if summary.failed or not quiet:
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
@click.argument("targets", nargs=-1, metavar="[TARGET]...")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Listing day, for date-addressed sources.")
@click.option("--query", help="Search text, for search sources (overrides the configured query).")
@click.option("--all", "all_sources", is_flag=True,
              help="Every enabled source once, fetching days missed since the last complete run.")
@click.option("--as", "as_source", metavar="SOURCE",
              help="File URL/file runs under this source name (default: adhoc:<what the content is>).")
@click.pass_context
def ingest(ctx: click.Context, targets: tuple[str, ...], day: str | None, query: str | None, all_sources: bool,
           as_source: str | None) -> None:
    """Ingest each TARGET: a configured source name, a URL, a saved page/API file, or - (stdin)."""
    if all_sources == bool(targets) or (all_sources and (day or query or as_source)):
        fail("ingest: give either TARGET or --all (without --date/--query/--as)")
    pipe = _pipeline(ctx)
    if all_sources:
        _report(run_all(pipe))
        return
    parsed_day = _parse_day(day)
    plan = [_ingest_step(pipe, target, parsed_day, query, as_source) for target in targets]  # check all first
    _report([summary for step in plan for summary in step()])


def _ingest_step(pipe: Pipeline, target: str, day: date | None, query: str | None, as_source: str | None):
    """What ingesting TARGET will do, or a usage error before anything of the call is fetched."""
    source = pipe.config.source(target)
    if source is not None:
        if as_source:
            fail(f"--as {as_source}: only for URLs and files; {target} is a configured source")
        if problem := source.kind_type.unit_problem(day=day, query=query):
            fail(f"{target}: {problem}")
        return lambda: run_guarded(pipe, source, day=day, query=query)
    if day or query:
        fail(f"{target}: --date and --query are for configured sources ({_known(pipe)})")
    if target == "-":
        return lambda: [ingest_bytes(pipe, _read_stdin(pipe), "<stdin>", name=as_source)]
    if re.match(r"^https?://", target):
        return lambda: [ingest_url(pipe, target, name=as_source)]
    if Path(target).exists():
        return lambda: [ingest_file(pipe, Path(target), name=as_source, progress=_bar_for(Path(target)))]
    fail(f"{target}: not a configured source ({_known(pipe)}), an http(s) URL, an existing file or -")


def _bar_for(path: Path):
    """A bar over the entries of a large file, on a terminal; None otherwise."""
    quiet = click.get_current_context().find_object(Session).quiet
    if not progress_on_terminal(quiet) or not path.is_file() or path.stat().st_size < PROGRESS_BYTES:
        return None
    return lambda total: entry_bar(f"storing {path.name}", total)


def _known(pipe: Pipeline) -> str:
    return ", ".join(sorted(pipe.config.sources)) or "none"


def _read_stdin(pipe: Pipeline) -> bytes:
    """stdin up to the same size cap as an HTTP body."""
    cap = pipe.config.http.max_bytes
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
        from pipeline.cli.show import print_json

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
    cli(prog_name="paperfeed")
