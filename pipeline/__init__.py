"""paperfeed: new medical-imaging papers from Hugging Face, arXiv, bioRxiv and feeds, in SQLite.

The Python API, for notebooks and scripts::

    import pipeline
    feed = pipeline.open("papers.db")            # config=None: the shipped config/
    feed.ingest("hf-daily", day="2024-08-01")
    mri = feed.papers(tag="modality:mri", since="2024-08-01")
    frame = feed.papers_frame(tag="medical-imaging")   # needs the pandas extra

`pipeline.open(path, read_only=True)` reads a database without migrating or
writing it. Importing `pipeline` loads nothing else: the API module is
imported on first use, so `python -c "import pipeline"` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Feed", "Paper", "RunSummary", "open"]

if TYPE_CHECKING:
    from pipeline.api import Feed
    from pipeline.model import Paper
    from pipeline.run.run import RunSummary

_LAZY = {"Feed": "pipeline.api", "Paper": "pipeline.model", "RunSummary": "pipeline.run.run"}


def open(db, config=None, read_only: bool = False) -> Feed:  # noqa: A001 - the API's one entry point
    """A `Feed` over the database file `db`; see `pipeline.api.Feed`."""
    from pipeline.api import open as open_feed

    return open_feed(db, config, read_only=read_only)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
