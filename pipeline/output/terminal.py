"""Printing text that may carry outside data (titles, feed content, server errors) to a terminal.

An escape sequence in a paper title or an error page can retitle the
window, hide lines or rewrite what the user sees, so every line of such
text goes out with control characters shown as spaces. paperfeed's own
formatting (colours, progress bars) does not pass through here.
"""

from __future__ import annotations

import click

from pipeline.output.escape import terminal_text


def say(message: object, *, err: bool = False) -> None:
    """`click.echo` for text holding outside data: each line stripped of control characters."""
    click.echo("\n".join(terminal_text(line) for line in str(message).split("\n")), err=err)
