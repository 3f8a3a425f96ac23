"""The `paperfeed` command: a thin shell over the pipeline.

`core` holds the group, the shared options and the ingest commands; each
other module here adds the commands of one concern. `commands` says which
module defines which command, and the group imports a module only when one
of its commands runs.
"""

from pipeline.cli.core import cli, main

__all__ = ["cli", "main"]
