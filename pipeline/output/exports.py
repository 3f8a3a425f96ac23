"""Every export format by name, in one table, behind one writer signature.

A format is one module with a function `write(papers, stream, options) -> int`
(papers one at a time as `pipeline.store.reading` yields them, a text stream,
an `ExportOptions`; it returns how many papers it wrote), registered with
`@register("name", "what it is")`. `paperfeed export --format`, `Feed.export`
and anything else that writes papers look the format up here, so adding one
is that module plus its line in `_SHIPPED` below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

Writer = Callable[[Iterable[dict[str, Any]], TextIO, "ExportOptions"], int]


@dataclass(frozen=True)
class ExportOptions:
    """What a writer may need besides the papers; each format reads the fields it uses.

    `title` heads a page, a document or a feed; `description` and
    `selection` say what the papers are ("medical-imaging since 2024-08-01");
    `url` is where a feed will be served (its self link and id);
    `generated_at` fixes the feed's time (tests, reproducible files);
    `columns` are extra leading columns of a tabular format (a search's `score`).
    """

    title: str = "Papers"
    description: str = ""
    selection: str = "all"
    url: str | None = None
    generated_at: datetime | None = None
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Export:
    name: str
    write: Writer
    summary: str


EXPORTS: dict[str, Export] = {}

# The modules whose writers register themselves; a new format adds its module here.
_SHIPPED = ("pipeline.output.formats", "pipeline.output.feeds", "pipeline.output.bibtex", "pipeline.output.ris",
            "pipeline.output.csljson")


def register(name: str, summary: str) -> Callable[[Writer], Writer]:
    """Decorator: make `write` the export format `name`."""
    def add(write: Writer) -> Writer:
        known = EXPORTS.get(name)
        if known is not None and known.write is not write:
            raise ValueError(f"export format {name!r} is registered twice")
        EXPORTS[name] = Export(name, write, summary)
        return write
    return add


def _load_shipped() -> None:
    for module in _SHIPPED:
        importlib.import_module(module)


def export_names() -> tuple[str, ...]:
    """Every registered format, in registration order (the CLI's `--format` choices)."""
    _load_shipped()
    return tuple(EXPORTS)


def export_named(name: str) -> Export:
    """The registered format; ValueError naming the known ones otherwise."""
    _load_shipped()
    if name in EXPORTS:
        return EXPORTS[name]
    raise ValueError(f"unknown export format {name!r} (known: {', '.join(EXPORTS)})")
