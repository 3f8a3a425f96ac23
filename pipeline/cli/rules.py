"""`paperfeed rules check`: the current rules scored against labelled papers."""

from __future__ import annotations

import click

from pipeline.cli.core import _feed, cli, fail
from pipeline.config import ConfigError, load_config
from pipeline.tagging import RuleError, load_rules
from pipeline.tagging.check import (LabelFileError, check, modality_macro_f1, read_labelled_jsonl, suggest,
                                    task_micro)

TITLE_WIDTH = 70


@cli.group()
def rules() -> None:
    """Inspect the tag rules (config/tags.toml)."""


def _rate(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


@rules.command("check")
@click.option("--labels", "labels_file", type=click.File("r", encoding="utf-8"), default=None,
              help="JSON lines of labelled papers (title, abstract, labels); default: the database's labels.")
@click.option("--tag", "only", multiple=True, help="Score only this tag (repeatable).")
@click.option("--summary", is_flag=True, help="Only the scores, without the papers behind them.")
@click.option("--suggest", "with_suggestions", is_flag=True,
              help="List words frequent in each tag's false positives and rare in its true positives.")
@click.pass_context
def check_rules(ctx: click.Context, labels_file, only: tuple[str, ...], summary: bool, with_suggestions: bool) -> None:
    """Per tag precision, recall and F1 on labelled papers, with every false positive and false negative."""
    if labels_file is not None:
        try:
            rule_set = load_rules(load_config(ctx.obj.config_dir).tags_path)
        except (ConfigError, RuleError) as exc:
            fail(str(exc))
        try:
            papers = read_labelled_jsonl(labels_file, labels_file.name, rule_set.tags)
        except LabelFileError as exc:
            fail(str(exc))
    else:
        feed = _feed(ctx)
        rule_set = feed.rules
        papers = feed.labelled_papers()
        if not papers:
            fail(f"{feed.db_path}: no labels yet (paperfeed label ID TAG --yes|--no, or --labels FILE)", code=1)
    unknown = [tag for tag in only if tag not in rule_set.tags]
    if unknown:
        fail(f"--tag {unknown[0]}: no such tag in {rule_set.path}")
    results = [r for r in check(rule_set, papers) if not only or r.tag in only]
    click.echo(f"{len(papers)} labelled papers, rules {rule_set.version}")
    click.echo(f"{'tag':<28} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}")
    for r in results:
        click.echo(f"{r.tag:<28} {_rate(r.precision):>6} {_rate(r.recall):>6} {_rate(r.f1):>6}"
                   f" {len(r.true_positives):>5} {len(r.false_positives):>5} {len(r.false_negatives):>5}")
    macro = modality_macro_f1(results)
    task_precision, task_recall = task_micro(results)
    if macro is not None:
        click.echo(f"modality macro-F1 {macro:.3f}")
    if task_precision is not None or task_recall is not None:
        click.echo(f"task tags micro precision {_rate(task_precision)}, recall {_rate(task_recall)}")
    for r in results:
        if not summary and (r.false_positives or r.false_negatives):
            click.echo(f"\n{r.tag}: {len(r.false_positives)} false positives, {len(r.false_negatives)} false negatives")
            for paper, match in r.false_positives:
                click.echo(f"  FP {paper.id}  {paper.title[:TITLE_WIDTH]}")
                click.echo(f"       rule {match.rule}, {match.field}: {match.matched}")
            for paper, diagnosis in r.false_negatives:
                click.echo(f"  FN {paper.id}  {paper.title[:TITLE_WIDTH]}")
                click.echo(f"       {diagnosis.lacked}")
        if with_suggestions:
            proposals = suggest(r)
            if proposals:
                click.echo(f"\n{r.tag}: candidate vetoes (in false positives / in {len(r.true_positives)} true positives)")
                for proposal in proposals:
                    click.echo(f"  {proposal.term!r:<32} {proposal.false_positives:>4} / {proposal.true_positives}")
