"""`paperfeed label` and `paperfeed labels export|import`: people correcting the tags."""

from __future__ import annotations

import click

from pipeline.api import ReadOnlyError
from pipeline.cli.core import _feed, cli, fail
from pipeline.store import labels as label_store
from pipeline.tagging.rules import DOMAIN_TAG


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
    feed = _feed(ctx)
    try:
        stored = feed.label(paper, tag, value, note=note, who=who)
    except label_store.UnknownPaper as exc:
        fail(str(exc), code=1)
    except (label_store.LabelError, ReadOnlyError) as exc:
        fail(f"label {paper} {tag}: {exc}")
    click.echo(f"{stored.paper_id}  {stored.tag}: {stored.value} ({stored.who}, {stored.at})")
    if stored.value == "yes" and stored.tag != DOMAIN_TAG and not label_store.has_effective_tag(
            feed.store, stored.paper_id, DOMAIN_TAG):
        click.echo(f"  note: the paper is not {DOMAIN_TAG}, so views and digests that select {DOMAIN_TAG}"
                   f" still leave it out; label that tag too if it applies", err=True)


@cli.group()
def labels() -> None:
    """Move labels between databases and files (JSON lines)."""


@labels.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
@click.pass_context
def export_labels(ctx: click.Context, file) -> None:
    """Write every label to FILE (default stdout), one JSON object per line."""
    written = _feed(ctx).export_labels(file)
    click.echo(f"{written} labels exported", err=True)


@labels.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.pass_context
def import_labels(ctx: click.Context, file) -> None:
    """Store the labels of FILE (JSON lines as `labels export` writes); nothing is stored if a line is bad."""
    feed = _feed(ctx)
    try:
        count = feed.import_labels(file, file.name)
    except (label_store.LabelError, ReadOnlyError) as exc:
        fail(str(exc))
    click.echo(f"{count} labels imported")
