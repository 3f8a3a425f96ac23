"""`paperfeed search`, `export` and `fts-rebuild`: getting papers back out of the database.

Output goes to stdout or, with `-o`, to a file that appears only once it is
complete. Long exports show a progress bar on stderr when it is a terminal
and print nothing extra otherwise, so pipes and cron jobs get clean output.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

import click

from pipeline.cli.core import EXIT_FAILED_RUN, EXIT_USAGE, _feed, _pipeline, cli, fail
from pipeline.output import formats
from pipeline.output.exports import ExportOptions, export_named, export_names
from pipeline.output.outfile import OutputRefused, atomic_output, quiet_broken_pipe
from pipeline.store.reading import (
    LIST_ORDERS, PERIODS, SEARCH_ORDERS, PaperFilter, SearchSyntaxError, count_papers, fts_in_sync, iter_papers,
    rebuild_fts,
)  # fmt: skip

PROGRESS_MIN = 1000  # papers; smaller exports finish before a bar would be read
SEARCH_FORMATS = ("table", "json", "csv")
_DAYS_AGO = re.compile(r"^(\d+)d$")
MAX_LIMIT = 1_000_000_000  # a --limit past SQLite's integers would end in an OverflowError


def parse_day(value: str | None, option: str, today: date | None = None) -> str | None:
    """`today`, `yesterday`, `7d` (seven days ago) or YYYY-MM-DD, as YYYY-MM-DD."""
    if value is None:
        return None
    today = today or date.today()
    text = value.strip().lower()
    if text in ("today", "yesterday"):
        return (today - timedelta(days=text == "yesterday")).isoformat()
    if match := _DAYS_AGO.match(text):
        try:
            return (today - timedelta(days=int(match.group(1)))).isoformat()
        except OverflowError:
            fail(f"{option} {value!r}: more days ago than the calendar goes back (year 1)")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        fail(f"{option} {value!r}: expected YYYY-MM-DD, today, yesterday or a number of days such as 7d")


period_option = click.option(
    "--period", type=click.Choice(PERIODS), default="new", show_default=True,
    help="new: papers that became new in --since/--until (first dated listing; a re-read search never counts);"
         " seen: papers any listing showed in those days; updated: papers whose latest version appeared then.")


def filter_options(command: Callable) -> Callable:
    """--tag, --since, --until and --source, shared by every command that selects papers."""
    options = [
        click.option("--tag", "tags", multiple=True, metavar="TAG[,TAG…]",
                     help="Only papers with this tag; repeat to require several, commas for any of several."),
        click.option("--since", metavar="DAY", help="Only papers new on or after DAY (YYYY-MM-DD, yesterday, 7d)."),
        click.option("--until", metavar="DAY", help="Only papers new on or before DAY."),
        click.option("--source", metavar="NAME", help="Only papers listed by this source (a name or a glob: 'hf-*')."),
        period_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_filter(tags: tuple[str, ...], since: str | None, until: str | None, source: str | None,
                period: str = "new") -> PaperFilter:
    groups = tuple(tuple(t.strip() for t in tag.split(",") if t.strip()) for tag in tags)
    return PaperFilter(tags=tuple(g for g in groups if g), since=parse_day(since, "--since"),
                       until=parse_day(until, "--until"), source=source, period=period)


def describe_filter(selection: PaperFilter) -> str:
    parts = [" and ".join("/".join(group) for group in selection.tags) or "all"]
    if selection.source:
        parts.append(f"from {selection.source}")
    verb = "new" if selection.period == "new" else "listed"
    if selection.since:
        parts.append(f"{verb} since {selection.since}")
    if selection.until:
        parts.append(f"{verb} until {selection.until}")
    return " ".join(parts)


@contextmanager
def output_stream(path: Path | None, database: Path | None = None) -> Iterator[TextIO]:
    """stdout, or a file that appears complete or not at all (never the database: see output.outfile).

    A reader of stdout that goes away (`| head`) ends the command quietly.
    """
    if path is None:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
        return
    try:
        with atomic_output(path, (database,) if database else ()) as handle:
            yield handle
    except OutputRefused as exc:
        fail(str(exc), EXIT_USAGE if exc.usage else EXIT_FAILED_RUN)


def progress_wanted(path: Path | None) -> bool:
    """A bar only when a person watches stderr and the papers are not going to that same terminal."""
    stderr_tty = sys.stderr.isatty()
    return stderr_tty and (path is not None or not sys.stdout.isatty())


def with_progress(papers: Iterable[dict[str, Any]], total: int, label: str) -> Iterator[dict[str, Any]]:
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        for paper in papers:
            yield paper
            bar.update(1)


@cli.command()
@click.argument("query")
@filter_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, MAX_LIMIT), help="How many papers to show.")
@click.option("--order", type=click.Choice(SEARCH_ORDERS), default="rank", show_default=True,
              help="rank: best match first (bm25); recent: most recently added first, stops at --limit.")
@click.option("--format", "fmt", type=click.Choice(SEARCH_FORMATS), default="table", show_default=True)
@click.pass_context
def search(ctx: click.Context, query: str, tags, since, until, source, period, limit: int, order: str,
           fmt: str) -> None:
    """Full-text search over titles, abstracts and authors.

    QUERY is SQLite FTS5 syntax: words, "exact phrases", AND / OR / NOT,
    prefix*, title:word. Example: '"magnetic resonance" AND segmentation'.
    The field's words work as written: X-ray (also finds X ray, Xray), U-Net,
    COVID-19, T1-weighted, 18F-FDG.
    """
    selection = make_filter(tags, since, until, source, period)
    try:
        found = _feed(ctx).search(query, tag=selection.tags, since=selection.since, until=selection.until,
                                  source=selection.source, period=selection.period, limit=limit, order=order)
        hits = [paper.as_dict() for paper in found]
    except SearchSyntaxError as exc:
        fail(str(exc))
    out = sys.stdout
    if fmt == "table":
        formats.write_table(hits, out)
        click.echo(f"{len(hits)} papers" + (f" (the best {limit}; --limit for more)" if len(hits) == limit else ""),
                   err=True)
    else:
        export_named(fmt).write(hits, out, ExportOptions(columns=("score",) if fmt == "csv" else ()))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(export_names()), default="csv", show_default=True)
@filter_options
@click.option("--order", type=click.Choice(LIST_ORDERS), default="date", show_default=True,
              help="date: latest listed first; upvotes: most upvoted first.")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=None, help="At most this many papers.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (complete or not at all) instead of stdout.")
@click.option("--title", help="Title of the HTML page, Markdown document or feed.")
@click.option("--feed-url", metavar="URL", help="Where the RSS/Atom feed will be served (its self link and id).")
@click.pass_context
def export(ctx: click.Context, fmt: str, tags, since, until, source, period, order: str, limit: int | None,
           output: Path | None, title: str | None, feed_url: str | None) -> None:
    """Export papers in a registered format: CSV, JSON, JSON Lines, Markdown, HTML, RSS, Atom, BibTeX, RIS, CSL-JSON."""
    store = _pipeline(ctx).store
    selection = make_filter(tags, since, until, source, period)
    title = title or f"paperfeed: {describe_filter(selection)}"
    papers: Iterable[dict[str, Any]] = iter_papers(store, selection, order=order, limit=limit)
    if progress_wanted(output):
        total = count_papers(store, selection)
        total = min(total, limit) if limit else total
        if total >= PROGRESS_MIN:
            papers = with_progress(papers, total, f"exporting {total} papers")
    options = ExportOptions(title=title, description=f"Papers: {describe_filter(selection)}",
                            selection=describe_filter(selection), url=feed_url)
    with output_stream(output, store.path) as out:
        count = export_named(fmt).write(papers, out, options)
    if output is not None:
        click.echo(f"wrote {count} papers to {output}", err=True)


@cli.command("fts-rebuild")
@click.option("--check", is_flag=True, help="Only check whether the index matches the papers (exit 1 if not).")
@click.pass_context
def fts_rebuild(ctx: click.Context, check: bool) -> None:
    """Rebuild the full-text index from the papers table (or check it)."""
    store = _pipeline(ctx).store
    if check:
        if not fts_in_sync(store):
            click.echo("full-text index is out of step with papers: run `paperfeed fts-rebuild`", err=True)
            sys.exit(EXIT_FAILED_RUN)
        click.echo("full-text index matches papers")
        return
    click.echo(f"rebuilt the full-text index over {rebuild_fts(store)} papers")
