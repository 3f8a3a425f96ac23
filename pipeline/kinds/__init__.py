"""Source kinds: one module per way of listing papers, and the registry that names them.

Importing this package registers the shipped kinds. A new kind is one module
that subclasses `SourceKind` and calls `register` (see `pipeline.kinds.base`).
"""

from pipeline.kinds.base import DatePlan, Expectation, Fetched, Option, Plan, SourceKind, Unit
from pipeline.kinds.registry import KINDS, kind_named, register
from pipeline.kinds import adhoc, arxiv, biorxiv, feed, hf  # noqa: F401  (registers the shipped kinds)
from pipeline.kinds import arxiv_oai, crossref, pubmed  # noqa: F401

__all__ = ["DatePlan", "Expectation", "Fetched", "KINDS", "Option", "Plan", "SourceKind", "Unit",
           "kind_named", "register"]
