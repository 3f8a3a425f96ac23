"""`paperfeed subscriptions list|add|remove`, `paperfeed deliver [NAME] [--dry-run]` and `paperfeed zotero push`."""

from __future__ import annotations

import sys

import click

from pipeline.cli.core import EXIT_FAILED_RUN, _pipeline, cli, fail
from pipeline.cli.read import filter_options, make_filter
from pipeline.config import ConfigError
from pipeline.delivery import subscriptions as subs
from pipeline.delivery.deliver import deliver as deliver_subscription
from pipeline.delivery.zotero import ZoteroError, ZoteroTarget, push
from pipeline.store import deliveries
from pipeline.store.reading import iter_papers


def _subscriptions(ctx: click.Context) -> dict[str, subs.Subscription]:
    try:
        return subs.load(_pipeline(ctx).config.directory)
    except ConfigError as exc:
        fail(str(exc))


@cli.group()
def subscriptions() -> None:
    """Named saved queries delivered by mail or chat (config/subscriptions.toml)."""


@subscriptions.command("list")
@click.pass_context
def list_subscriptions(ctx: click.Context) -> None:
    """Each subscription: its query, cadence, recipients and how many papers it has delivered."""
    found = _subscriptions(ctx)
    counts = deliveries.delivery_counts(_pipeline(ctx).store)
    if not found:
        click.echo(f"no subscriptions in {subs.path_in(_pipeline(ctx).config.directory)}", err=True)
    for sub in found.values():
        query = " and ".join("/".join(group) for group in sub.tags) or "all papers"
        if sub.query:
            query += f" matching {sub.query!r}"
        if sub.sources:
            query += f" from {', '.join(sub.sources)}"
        if sub.min_upvotes:
            query += f" with at least {sub.min_upvotes} upvotes"
        click.echo(f"{sub.name}: {query}; {sub.cadence}; to {', '.join(sub.recipients)};"
                   f" {counts.get(sub.name, 0)} papers delivered")


@subscriptions.command("add")
@click.argument("name")
@click.option("--tag", "tags", multiple=True, metavar="TAG[,TAG…]", help="Required tag; repeat, commas for any of.")
@click.option("--query", help="Full-text query, as `paperfeed search` takes it.")
@click.option("--source", "sources", multiple=True, metavar="GLOB", help="Only papers these sources listed.")
@click.option("--min-upvotes", type=click.IntRange(0), default=None)
@click.option("--to", "recipients", multiple=True, required=True, metavar="RECIPIENT",
              help="mailto:address or a notification URL (apprise); repeatable.")
@click.option("--cadence", default="daily", show_default=True, help="daily, weekly or a crontab line.")
@click.option("--since", metavar="YYYY-MM-DD", help="Deliver nothing that became new before this day.")
@click.option("--send-empty", is_flag=True, help='Also send "no new papers" when all sources are fine.')
@click.pass_context
def add_subscription(ctx: click.Context, name: str, tags, query, sources, min_upvotes, recipients, cadence, since,
                     send_empty) -> None:
    """Add a subscription to config/subscriptions.toml."""
    directory = _pipeline(ctx).config.directory
    table = {"tags": list(tags), "sources": list(sources), "recipients": list(recipients), "cadence": cadence,
             "send_empty": send_empty}
    table.update({k: v for k, v in (("query", query), ("min_upvotes", min_upvotes), ("since", since)) if v is not None})
    try:
        path = subs.add(directory, subs.from_table(name, table, f"{subs.path_in(directory)}: subscription {name!r}"))
    except ConfigError as exc:
        fail(str(exc))
    click.echo(f"added subscription {name!r} to {path}")


@subscriptions.command("remove")
@click.argument("name")
@click.pass_context
def remove_subscription(ctx: click.Context, name: str) -> None:
    """Remove a subscription (its delivery history stays in the database)."""
    try:
        path = subs.remove(_pipeline(ctx).config.directory, name)
    except ConfigError as exc:
        fail(str(exc))
    click.echo(f"removed subscription {name!r} from {path}")


@cli.command()
@click.argument("name", required=False)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.pass_context
def deliver(ctx: click.Context, name: str | None, dry_run: bool) -> None:
    """Send each subscription (or NAME) what is new for it since its last delivery.

    Exit status 1 when a send failed (those papers go out next time).
    """
    found = _subscriptions(ctx)
    if name is not None and name not in found:
        fail(f"no subscription {name!r} (have: {', '.join(found) or 'none'})")
    if not found:
        fail(f"no subscriptions in {subs.path_in(_pipeline(ctx).config.directory)}")
    pipe = _pipeline(ctx)
    failed = False
    for sub in [found[name]] if name else found.values():
        try:
            outcome = deliver_subscription(pipe, sub, dry_run=dry_run)
        except ConfigError as exc:
            fail(str(exc))
        if dry_run:
            for recipient in outcome.recipients:
                if recipient.subject is None:
                    click.echo(f"--- {sub.name} -> {recipient.recipient}: nothing new, nothing would be sent")
                    continue
                click.echo(f"--- {sub.name} -> {recipient.recipient}: {recipient.subject}"
                           f" ({recipient.shown} of {recipient.papers} papers listed)")
                click.echo(recipient.preview)
        click.echo(outcome.line(), err=True)
        failed = failed or outcome.failed
    if failed:
        sys.exit(EXIT_FAILED_RUN)


@cli.group()
def zotero() -> None:
    """Zotero: push papers into a library through the Web API (key from ZOTERO_API_KEY)."""


@zotero.command("push")
@filter_options
@click.option("--subscription", metavar="NAME", help="The papers this subscription has delivered.")
@click.option("--library", metavar="users/ID|groups/ID", help="Target library (default: [zotero] library).")
@click.option("--collection", metavar="KEY", help="Put the items in this collection (default: [zotero] collection).")
@click.option("--base-url", metavar="URL", help="Web API base URL (default: https://api.zotero.org).")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many papers.")
@click.pass_context
def zotero_push(ctx: click.Context, tags, since, until, source, period, subscription, library, collection,
                base_url, limit) -> None:
    """Create Zotero items for a selection (or a subscription's deliveries), skipping those pushed before."""
    pipe = _pipeline(ctx)
    try:
        target = ZoteroTarget.from_settings(pipe.config.settings, str(pipe.config.directory / "settings.toml"),
                                            library=library, collection=collection, base_url=base_url)
    except ConfigError as exc:
        fail(str(exc))
    if subscription is not None:
        if subscription not in _subscriptions(ctx):
            fail(f"no subscription {subscription!r}")
        papers = list(deliveries.delivered(pipe.store, subscription))[:limit]
    else:
        papers = list(iter_papers(pipe.store, make_filter(tags, since, until, source, period), limit=limit))
    try:
        # Read first, then write: the push records each confirmed item as it goes.
        outcome = push(pipe.store, target, papers)
    except ZoteroError as exc:
        fail(str(exc), EXIT_FAILED_RUN)
    click.echo(outcome.line(target.library))
    if outcome.failed:
        sys.exit(EXIT_FAILED_RUN)
