"""How the commands print for people and for programs: aligned tables with a header row,
colour only on a terminal (never with NO_COLOR, https://no-color.org), `--json`, and progress
bars on stderr only while a person watches it."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from pipeline.output.terminal import terminal_text

STATUS_COLOURS = {"ok": "green", "not-modified": "green", "empty": "yellow", "skipped": "yellow",
                  "running": "cyan", "failed": "red", "rate-limited": "red", "interrupted": "red",
                  "FAILING": "red", "never run": "yellow"}


def colour_wanted() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def paint(text: str, status: str) -> str:
    """`text` in its status's colour when a person reads stdout on a terminal; plain otherwise."""
    colour = STATUS_COLOURS.get(status)
    return click.style(text, fg=colour) if colour and colour_wanted() else text


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]],
                colour_of: Callable[[Sequence[Any]], str | None] = lambda row: None) -> None:
    """Columns padded to their widest cell; the last column is left ragged (it holds free text)."""
    cells = [[str(cell if cell is not None else "-") for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [list(header), *cells]) for i in range(len(header) - 1)]

    def line(row: Sequence[str]) -> str:
        return "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip()

    click.echo(line(list(header)))
    for row, original in zip(cells, rows):
        status = colour_of(original)
        shown = terminal_text(line(row))  # cells hold outside data (errors, targets): no control characters
        click.echo(paint(shown, status) if status else shown)


def progress_on_terminal(quiet: bool) -> bool:
    """Bars go to stderr, and only when a person is watching it."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def entry_bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def wait_with_bar(seconds: float, why: str) -> None:
    """Spend a server-imposed wait (Retry-After, backoff) under a bar counting it down."""
    deadline = time.monotonic() + seconds
    with click.progressbar(length=max(1, round(seconds * 10)), label=f"{why} in {seconds:.0f} s",
                           file=sys.stderr) as bar:
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(0.1, left))
            bar.update(1)
