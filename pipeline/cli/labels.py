"""`paperfeed label` and `paperfeed labels export|import`: people correcting the tags."""

from __future__ import annotations

import getpass
import os

import click

from pipeline.cli.core import _pipeline, _session, cli, fail
from pipeline.store import labels as label_store
from pipeline.store import tags as tag_store


def default_who() -> str:
    """Who a label is from when --who is not given: PAPERFEED_USER, else the login name."""
    return os.environ.get("PAPERFEED_USER") or getpass.getuser()


@cli.command()
@click.argument("paper")
@click.argument("tag")
@click.option("--yes/--no", "value", default=None, help="The paper has (--yes) or has not (--no) this tag.")
@click.option("--note", default="", help="Why, for whoever reads the label later.")
@click.option("--who", default=None, help="Who labels (default: env PAPERFEED_USER, else the login name).")
@click.pass_context
def label(ctx: click.Context, paper: str, tag: str, value: bool | None, note: str, who: str | None) -> None:
    """Say whether PAPER (arXiv id, DOI or paper id) has TAG; the label overrides the rules and survives retag."""
    if value is None:
        fail("label: give --yes or --no")
    pipe = _pipeline(ctx)
    paper_id = tag_store.resolve_paper_id(pipe.store, paper)
    if paper_id is None:
        fail(f"{paper}: no such paper in {pipe.store.path}", code=1)
    try:
        stored = label_store.set_label(
            pipe.store, label_store.Label(paper_id, tag, "yes" if value else "no", who or default_who(), note),
            _session(ctx).rules.tags)
    except label_store.LabelError as exc:
        fail(f"label {paper} {tag}: {exc}")
    click.echo(f"{stored.paper_id}  {stored.tag}: {stored.value} ({stored.who}, {stored.at})")


@cli.group()
def labels() -> None:
    """Move labels between databases and files (JSON lines)."""


@labels.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
@click.pass_context
def export_labels(ctx: click.Context, file) -> None:
    """Write every label to FILE (default stdout), one JSON object per line."""
    written = label_store.export_labels(_pipeline(ctx).store, file)
    click.echo(f"{written} labels exported", err=True)


@labels.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.pass_context
def import_labels(ctx: click.Context, file) -> None:
    """Store the labels of FILE (JSON lines as `labels export` writes); nothing is stored if a line is bad."""
    pipe = _pipeline(ctx)
    try:
        count = label_store.import_labels(pipe.store, file, _session(ctx).rules.tags, file.name)
    except label_store.LabelError as exc:
        fail(str(exc))
    click.echo(f"{count} labels imported")
