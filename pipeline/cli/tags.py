"""`paperfeed tag`, `retag` and `explain`: trying, applying and reading tag rules."""

from __future__ import annotations

import sys

import click

from pipeline.api import ReadOnlyError
from pipeline.cli.core import _feed, _pipeline, _session, cli, fail
from pipeline.config import ConfigError, load_config
from pipeline.output.terminal import say
from pipeline.store import labels as label_store
from pipeline.store import tags as tag_store
from pipeline.tagging import JsonLinesError, RuleError, load_rules, tag_jsonl
from pipeline.tagging.rules import DOMAIN_TAG
from pipeline.tagging.whynot import why_not


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--explain", is_flag=True, help="Add the evidence (rule, field, words) of each tag.")
@click.pass_context
def tag(ctx: click.Context, file, explain: bool) -> None:
    """Tag JSON lines (title, abstract) from FILE or stdin; no database involved."""
    try:
        rules = load_rules(load_config(ctx.obj.config_dir).tags_path)
        tag_jsonl(file, sys.stdout, rules, explain=explain)
    except (ConfigError, RuleError) as exc:
        fail(str(exc))
    except JsonLinesError as exc:
        fail(f"{file.name}: {exc}")


@cli.command()
@click.pass_context
def retag(ctx: click.Context) -> None:
    """Re-apply the current rules to every stored paper and print what changed."""
    feed = _feed(ctx)
    pipe = feed.pipeline()
    total = pipe.store.query("SELECT count(*) AS n FROM papers")[0]["n"]
    try:
        with click.progressbar(length=total, label="retagging", file=sys.stderr) as bar:
            report = feed.retag(progress=bar.update)
    except ReadOnlyError as exc:
        fail(str(exc))
    if not report.papers_changed:
        click.echo(f"{report.papers} papers, no change (rules {pipe.rules_version})")
        return
    click.echo(f"{report.papers} papers, {report.papers_changed} changed (rules {pipe.rules_version})")
    for name in sorted(set(report.added) | set(report.removed)):
        click.echo(f"  {name}: +{report.added[name]} -{report.removed[name]}")


@cli.command()
@click.argument("paper")
@click.pass_context
def explain(ctx: click.Context, paper: str) -> None:
    """Show PAPER's tags (arXiv id, DOI or paper id), the words behind each, its labels, and why the gate did not fire."""
    store = _pipeline(ctx).store
    rules = _session(ctx).rules
    paper_id = tag_store.resolve_paper_id(store, paper)
    if paper_id is None:
        fail(f"{paper}: no such paper in {store.path}", code=1)
    row, tags = tag_store.paper_with_tags(store, paper_id)
    say(f"{row['id']}  {row['title']}")
    if not tags:
        click.echo("  no tags")
    for tag_row in tags:
        say(f"  {tag_row['tag']:<28} rule {tag_row['rule']}, {tag_row['field']}: {tag_row['matched']}")
    for label in label_store.labels_of_paper(store, paper_id):
        note = f": {label.note}" if label.note else ""
        say(f"  {label.tag:<28} label {label.value} by {label.who}, {label.at}{note}")
    present = {match.tag for match in rules.tag(row["title"], row["abstract"])}
    if DOMAIN_TAG not in present:
        diagnosis = why_not(rules, row["title"], row["abstract"], DOMAIN_TAG, present)
        say(f"  {DOMAIN_TAG} did not fire: {diagnosis.lacked}")
