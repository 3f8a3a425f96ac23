"""The `paperfeed` command: a thin shell over the pipeline.

`core` holds the group, the shared options and the ingest commands; each
other module here adds the commands of one concern and is imported below so
that its commands register with the group.
"""

from pipeline.cli.core import cli, main

__all__ = ["cli", "main"]

from pipeline.cli import tags  # noqa: E402,F401  registers tag, retag, explain
from pipeline.cli import labels  # noqa: E402,F401  registers label, labels export|import
from pipeline.cli import rules  # noqa: E402,F401  registers rules check
from pipeline.cli import read  # noqa: E402,F401  registers commands
from pipeline.cli import digest  # noqa: E402,F401  registers commands
from pipeline.cli import browse  # noqa: E402,F401  registers commands

from pipeline.cli import schedule  # noqa: E402,F401  registers commands
from pipeline.cli import ledger  # noqa: E402,F401  registers commands
from pipeline.cli import reparse  # noqa: E402,F401  registers commands
from pipeline.cli import backfill  # noqa: E402,F401  registers commands
from pipeline.cli import sources  # noqa: E402,F401  registers commands
from pipeline.cli import deliver  # noqa: E402,F401  registers subscriptions, deliver
