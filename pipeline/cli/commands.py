"""Which module defines each command, so that a command imports only its own module.

`paperfeed --help` lists every command from this table without importing any
of them, and `paperfeed search` imports `cli/read.py` alone: the parsers,
HTTP, bs4, feedparser and APScheduler are loaded only by the commands that use
them. A test checks the table against the commands the modules register, so
a new command is listed here with its module and its docstring's first sentence.
"""

from __future__ import annotations

import importlib

import click

# name -> (module that registers it, the first sentence of its docstring)
COMMANDS: dict[str, tuple[str, str]] = {
    "backfill": ("pipeline.cli.backfill", "Fill in SOURCE's listings from --since to --until, one run per day (and page)."),
    "browse": ("pipeline.cli.browse", "Browse the database in Datasette: the reading page, tables with descriptions, facets, search."),
    "digest": ("pipeline.cli.digest", "A digest of tagged papers grouped by modality, with upvotes, links and the words that matched."),
    "doctor": ("pipeline.cli.doctor", "Check everything paperfeed depends on and say what to do about each problem; exit 1 on any."),
    "docs": ("pipeline.cli.browse", "Print the schema reference (docs/schema.md): every table, view and column, and example queries."),
    "explain": ("pipeline.cli.tags", "Show PAPER's tags, the words behind each, its labels, and why the gate did not fire."),
    "deliver": ("pipeline.cli.deliver", "Send each subscription (or NAME) what is new for it since its last delivery."),
    "export": ("pipeline.cli.read", "Export papers in a registered format: CSV, JSON, JSON Lines, Markdown, HTML, RSS, Atom, BibTeX, RIS, CSL-JSON."),
    "fts-rebuild": ("pipeline.cli.read", "Rebuild the full-text index from the papers table (or check it)."),
    "label": ("pipeline.cli.labels", "Say whether PAPER (arXiv id, DOI or paper id) has TAG; the label overrides the rules and survives retag."),
    "labels": ("pipeline.cli.labels", "Move labels between databases and files (JSON lines)."),
    "ingest": ("pipeline.cli.core", "Ingest each TARGET: a configured source name, a URL, a saved page/API file, or - (stdin)."),
    "reparse": ("pipeline.cli.reparse", "Parse the kept raw responses again (needs `[storage] keep_raw = true`) and store the result."),
    "retag": ("pipeline.cli.tags", "Re-apply the current rules to every stored paper and print what changed."),
    "rules": ("pipeline.cli.rules", "Inspect the tag rules (config/tags.toml)."),
    "runs": ("pipeline.cli.ledger", "List recent runs, newest first: listing day, status, HTTP status, bytes, time, counts, error."),
    "schedule": ("pipeline.cli.schedule", "Run every enabled source on its schedule until SIGTERM/SIGINT (exit 0)."),
    "schema": ("pipeline.cli.core", "Print the current schema (as db/schema.sql holds it)."),
    "search": ("pipeline.cli.read", "Full-text search over titles, abstracts and authors."),
    "sources": ("pipeline.cli.sources", "List the configured sources: kind, schedule, last run and next scheduled slot."),
    "stats": ("pipeline.cli.core", "Summarise what the database holds: papers, sightings per source, tags per facet, recent days charted."),
    "status": ("pipeline.cli.ledger", "Health of every enabled source; exits 1 when any failed, is overdue or went silently stale."),
    "subscriptions": ("pipeline.cli.deliver", "Named saved queries delivered by mail or chat (config/subscriptions.toml)."),
    "tag": ("pipeline.cli.tags", "Tag JSON lines (title, abstract) from FILE or stdin; no database involved."),
    "zotero": ("pipeline.cli.deliver", "Zotero: push papers into a library through the Web API (key from ZOTERO_API_KEY)."),
}  # fmt: skip


def load_all() -> None:
    """Import every command module (each registers its commands on the group)."""
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        importlib.import_module(module)


class LazyGroup(click.Group):
    """A click group that imports a command's module when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands:
            if name in COMMANDS:
                importlib.import_module(COMMANDS[name][0])
            else:  # not in the table: perhaps a module registers it all the same
                load_all()
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table, without importing the command modules."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            shown = click.Command(name, help=COMMANDS[name][1]) if name in COMMANDS else self.commands[name]
            rows.append((name, shown.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
