"""The kinds paperfeed knows, by name: the one table `sources.toml`'s `kind = ...` is looked up in.

A kind module calls `register` on its class at import; `pipeline.kinds`
imports the shipped ones. Options every kind accepts (`enabled`, schedule
and expectation keys) are checked here, the kind's own options by its
declaration, so a bad value is found when the configuration is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.kinds.base import ENTRY_RULES, Option, SourceKind, iso_days, non_negative, one_of, whole_number

KINDS: dict[str, type[SourceKind]] = {}

# Keys of every [[source]] table that are not the kind's own options.
COMMON_OPTIONS: Mapping[str, Option] = {
    "enabled": Option(bool, True),
    "schedule": Option(str),
    "timezone": Option(str),
    "catch_up_days": Option(int, check=whole_number(0)),
    "expect_entries": Option(str, check=one_of(*ENTRY_RULES), expected="one of " + ", ".join(ENTRY_RULES)),
    "expect_every_hours": Option((int, float), check=non_negative, expected="hours >= 0"),
    "quiet_days": Option(list, check=iso_days, expected='a list of days, e.g. ["2026-12-24"]'),
    "stale_after_days": Option(int, check=whole_number(1)),
}


def register(kind: type[SourceKind]) -> type[SourceKind]:
    """Make `kind` known by its name; usable as a class decorator."""
    if kind.name in KINDS and KINDS[kind.name] is not kind:
        raise ValueError(f"source kind {kind.name!r} is registered twice")
    overlap = set(kind.options) & set(COMMON_OPTIONS)
    if overlap:
        raise ValueError(f"source kind {kind.name!r} redeclares common options {', '.join(sorted(overlap))}")
    KINDS[kind.name] = kind
    return kind


def kind_named(name: Any) -> type[SourceKind]:
    """The registered kind; ValueError listing the known ones otherwise."""
    if isinstance(name, str) and name in KINDS:
        return KINDS[name]
    raise ValueError(f"unknown kind {name!r} (known: {', '.join(sorted(KINDS))})")


def option_problem(kind: type[SourceKind], table: Mapping[str, Any]) -> str | None:
    """The first problem with a [[source]] table's keys for this kind, as `key = value: must be ...`."""
    declared = {**COMMON_OPTIONS, **kind.options}
    unknown = set(table) - set(declared) - {"name", "kind"}
    if unknown:
        return f"unknown keys {', '.join(sorted(unknown))}"
    missing = sorted(key for key, option in kind.options.items() if option.required and key not in table)
    if missing:
        return f"kind {kind.name} needs {', '.join(missing)}"
    for key, option in declared.items():
        if key in table:
            problem = option.problem(table[key])
            if problem:
                return f"{key} = {table[key]!r}: {problem}"
    return None
