"""The `paperfeed` command: a thin shell over the pipeline.

`core` holds the group, the shared options and the ingest commands; each
other module here adds the commands of one concern and is imported below so
that its commands register with the group.
"""

from pipeline.cli.core import cli, main

__all__ = ["cli", "main"]

from pipeline.cli import backfill  # noqa: E402,F401  registers commands
