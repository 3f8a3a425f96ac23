"""`paperfeed docs` (the schema reference) and `paperfeed browse` (Datasette on the database)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import click

from pipeline.cli.core import EXIT_FAILED_RUN, _pipeline, cli, fail
from pipeline.output import charts
from pipeline.output.browse import datasette_available, datasette_metadata
from pipeline.output.reference import load_descriptions, render_reference, undescribed
from pipeline.resources import shipped_path
from pipeline.store import Store
from pipeline.store import browse as recent
from pipeline.store.introspect import schema_objects

REFERENCE = Path("docs") / "schema.md"


def fresh_schema_objects():
    """The tables and views of a freshly migrated database: what the reference documents."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "schema.db") as store:
        return schema_objects(store)


@cli.command()
@click.option("--write", is_flag=True, help="Rewrite docs/schema.md instead of printing.")
@click.option("--check", is_flag=True, help="Exit 1 if docs/schema.md is out of date or a column has no description.")
def docs(write: bool, check: bool) -> None:
    """Print the schema reference (docs/schema.md): every table, view and column, and example queries."""
    objects = fresh_schema_objects()
    descriptions = load_descriptions()
    text = render_reference(objects, descriptions)
    target = shipped_path("db").parent / REFERENCE
    if check:
        problems = [f"no description for {name}" for name in undescribed(objects, descriptions)]
        if not target.exists() or target.read_text() != text:
            problems.append(f"{target} is out of date: run `paperfeed docs --write`")
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(EXIT_FAILED_RUN if problems else 0)
    if write:
        if not target.parent.is_dir():
            fail(f"{target.parent}: no docs/ folder here (run from a paperfeed checkout)")
        target.write_text(text)
        click.echo(f"wrote {target}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address Datasette listens on.")
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--metadata", "metadata_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Only write the Datasette metadata to this file (then run `datasette papers.db --metadata FILE`).")
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser on it.")
@click.pass_context
def browse(ctx: click.Context, host: str, port: int, metadata_out: Path | None, open_browser: bool) -> None:
    """Browse the database in Datasette: the reading page, tables with descriptions, facets, search."""
    store = _pipeline(ctx).store
    metadata = datasette_metadata(store.path.stem, schema_objects(store), load_descriptions())
    if metadata_out is not None:
        metadata_out.write_text(json.dumps(metadata, indent=2) + "\n")
        click.echo(f"wrote {metadata_out}", err=True)
        return
    if not datasette_available():
        fail('Datasette is not installed: pip install "paperfeed[browse]"')
    # paperfeed's Datasette plugin (pipeline/browse) supplies the metadata, the reading page and the search.
    command = [sys.executable, "-m", "datasette", "serve", str(store.path),
               "--host", host, "--port", str(port)] + (["--open"] if open_browser else [])
    click.echo(f"Datasette on http://{host}:{port}/, reading page http://{host}:{port}/-/reading"
               " (Ctrl-C stops it)", err=True)
    sys.exit(_run_until_stopped(command))


def _run_until_stopped(command: list[str]) -> int:
    """Run Datasette; a SIGTERM or Ctrl-C to this process stops it too, so no server is left behind."""
    child = subprocess.Popen(command)

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def chart_lines(store: Store, days: int, today: date | None = None) -> list[str]:
    """`paperfeed stats`'s charts: papers per day by source and by modality, runs per day by source."""
    span = charts.day_range((today or date.today()).isoformat(), days)
    conn = store.conn
    lines = [""]
    lines += charts.text_chart(charts.counts_chart(
        "papers per day by source", span, recent.papers_per_day_by_source(conn, span[0], span[-1])))
    lines += charts.text_chart(charts.counts_chart(
        "new papers per day by modality", span, recent.new_papers_per_day_by_modality(conn, span[0], span[-1])))
    lines += charts.text_timeline(charts.run_timeline(span, recent.runs_per_day(conn, span[0], span[-1])))
    return lines
