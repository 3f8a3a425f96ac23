"""Explainable rule-based tags for medical-imaging papers.

    rules = load_rules("config/tags.toml")
    for match in rules.tag(title, abstract):
        print(match.tag, match.rule, match.field, match.matched)

The rule language is documented in config/tags.toml itself.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.tagging.jsonl import JsonLinesError, tag_jsonl
from pipeline.tagging.matcher import RuleSet, TagMatch
from pipeline.tagging.rules import RuleError, read_rule_file

__all__ = ["load_rules", "RuleError", "RuleSet", "TagMatch", "tag_jsonl", "JsonLinesError"]


def load_rules(path: str | Path) -> RuleSet:
    """Read, validate and compile a rule file; raise RuleError naming file, tag and problem."""
    return RuleSet(read_rule_file(path))
