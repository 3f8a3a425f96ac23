"""Reading and validating the rule file (config/tags.toml).

Rules are configuration: a researcher adds a tag or a term by editing TOML,
never code. Because a broken rule file would silently mis-tag every paper,
everything that can be checked is checked here, before any text is tagged,
and each problem is reported as one line naming the file, the tag and what
is wrong.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.tagging.detex import term_matching_form
from pipeline.tagging.regex_safety import backtracking_risk

DOMAIN_TAG = "medical-imaging"
FACETS = ("modality", "anatomy", "task")
SCOPES = ("title", "abstract", "both")

_TOP_KEYS = {"defaults", "vocabulary", "tags"}
_DEFAULT_KEYS = {"title_weight", "threshold"}
_TAG_KEYS = {"name", "description", "rules", "none", "vetoes", "implies", "requires", "threshold"}
_VETO_KEYS = {"name", "description", "any", "unless"}
_RULE_KEYS = {"name", "any", "all", "none", "regex", "scope", "weight", "case_sensitive", "plurals", "repeat"}
_VOCABULARY_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_TAG_NAME = re.compile(r"^[a-z][a-z0-9-]*:[a-z0-9][a-z0-9_/+-]*$")


class RuleError(ValueError):
    """A rule file that cannot be used; the message is one line: file, tag, problem."""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    name: str
    any: tuple[str, ...]
    all: tuple[tuple[str, ...], ...]
    none: tuple[str, ...]
    regex: tuple[str, ...]
    scope: str
    weight: float
    case_sensitive: bool
    plurals: bool
    repeat: int = 1  # abstract hits of `any` needed when the title has none


@dataclass(frozen=True, slots=True)
class VetoSpec:
    """A non-clinical domain: its words veto the tag unless one of `unless` is there too."""

    name: str
    any: tuple[str, ...]
    unless: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagSpec:
    name: str
    rules: tuple[RuleSpec, ...]
    none: tuple[str, ...]
    vetoes: tuple[VetoSpec, ...]
    implies: tuple[str, ...]
    requires: tuple[str, ...]
    threshold: float


@dataclass(frozen=True, slots=True)
class RuleFile:
    path: str
    version: str
    title_weight: float
    tags: tuple[TagSpec, ...]


def read_rule_file(path: str | Path) -> RuleFile:
    """Parse and validate a rule file; raise RuleError on the first problem."""
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RuleError(f"{where}: cannot read rule file: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{where}: not valid TOML: {exc}") from None
    version = hashlib.sha256(raw).hexdigest()[:12]

    _reject_unknown(doc, _TOP_KEYS, lambda key: f"{where}: unknown top-level key '{key}'")
    defaults = doc.get("defaults", {})
    if not isinstance(defaults, dict):
        raise RuleError(f"{where}: [defaults] must be a table")
    _reject_unknown(defaults, _DEFAULT_KEYS, lambda key: f"{where}: unknown key '{key}' in [defaults]")
    title_weight = _positive_number(defaults.get("title_weight", 2.0), f"{where}: [defaults] title_weight")
    default_threshold = _positive_number(defaults.get("threshold", 1.0), f"{where}: [defaults] threshold")

    vocabulary = _read_vocabulary(doc.get("vocabulary", {}), where)

    raw_tags = doc.get("tags")
    if not isinstance(raw_tags, list) or not raw_tags:
        raise RuleError(f"{where}: no [[tags]] defined")
    tags: list[TagSpec] = []
    seen: dict[str, int] = {}
    for number, raw_tag in enumerate(raw_tags, start=1):
        tag = _read_tag(raw_tag, number, where, default_threshold, vocabulary)
        if tag.name in seen:
            raise RuleError(f"{where}: tag '{tag.name}': duplicate tag (first defined as tag #{seen[tag.name]})")
        seen[tag.name] = number
        tags.append(tag)
    for tag in tags:
        for key, targets in (("implies", tag.implies), ("requires", tag.requires)):
            for target in targets:
                if target not in seen:
                    raise RuleError(f"{where}: tag '{tag.name}': {key} unknown tag '{target}'")
                if target == tag.name:
                    raise RuleError(f"{where}: tag '{tag.name}': {key} itself")
    return RuleFile(path=where, version=version, title_weight=title_weight, tags=tuple(tags))


Vocabulary = dict[str, tuple[str, ...]]


def _read_vocabulary(raw: object, where: str) -> Vocabulary:
    """Named term lists (`[vocabulary]`), used in any term list as "@name".

    A list may use lists defined before it, so a domain's words are written
    once and shared by every rule and veto that needs them.
    """
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: [vocabulary] must be a table of term lists")
    vocabulary: Vocabulary = {}
    for name, terms in raw.items():
        if not _VOCABULARY_NAME.match(name):
            raise RuleError(f"{where}: vocabulary '{name}': name must be lower-case letters, digits, - or _")
        vocabulary[name] = _terms(terms, f"{where}: vocabulary '{name}'", False, vocabulary)
    return vocabulary


def _read_tag(raw: object, number: int, where: str, default_threshold: float, vocabulary: Vocabulary) -> TagSpec:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: tag #{number}: must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise RuleError(f"{where}: tag #{number}: missing name")
    at = f"{where}: tag '{name}'"
    if name != DOMAIN_TAG:
        if ":" not in name:
            raise RuleError(f"{at}: no facet (name it 'facet:name', facet one of {', '.join(FACETS)})")
        if not _TAG_NAME.match(name):
            raise RuleError(f"{at}: malformed name (expected lower-case 'facet:name')")
        facet = name.split(":", 1)[0]
        if facet not in FACETS:
            raise RuleError(f"{at}: unknown facet '{facet}' (expected one of {', '.join(FACETS)})")
    _reject_unknown(raw, _TAG_KEYS, lambda key: f"{at}: unknown key '{key}'")
    raw_rules = raw.get("rules", [])
    if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
        raise RuleError(f"{at}: rules must be an array of tables ([[tags.rules]])")
    if not raw_rules:
        raise RuleError(f"{at}: has no rules")
    rules: list[RuleSpec] = []
    for index, raw_rule in enumerate(raw_rules, start=1):
        rule = _read_rule(raw_rule, index, at, vocabulary)
        if any(r.name == rule.name for r in rules):
            raise RuleError(f"{at}: duplicate rule name '{rule.name}'")
        rules.append(rule)
    return TagSpec(
        name=name,
        rules=tuple(rules),
        none=_terms(raw.get("none", []), f"{at}: none", True, vocabulary),
        vetoes=_read_vetoes(raw.get("vetoes", []), at, vocabulary),
        implies=_strings(raw.get("implies", []), f"{at}: implies"),
        requires=_strings(raw.get("requires", []), f"{at}: requires"),
        threshold=_positive_number(raw.get("threshold", default_threshold), f"{at}: threshold"),
    )


def _read_vetoes(raw: object, at: str, vocabulary: Vocabulary) -> tuple[VetoSpec, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, dict) for v in raw):
        raise RuleError(f"{at}: vetoes must be an array of tables ([[tags.vetoes]])")
    vetoes: list[VetoSpec] = []
    for index, veto in enumerate(raw, start=1):
        name = veto.get("name", f"veto-{index}")
        if not isinstance(name, str) or not name:
            raise RuleError(f"{at}: veto #{index}: name must be a non-empty string")
        here = f"{at}: veto '{name}'"
        _reject_unknown(veto, _VETO_KEYS, lambda key: f"{here}: unknown key '{key}'")
        if any(v.name == name for v in vetoes):
            raise RuleError(f"{at}: duplicate veto name '{name}'")
        vetoes.append(VetoSpec(name, _terms(veto.get("any", []), f"{here}: any", False, vocabulary),
                               _terms(veto.get("unless", []), f"{here}: unless", True, vocabulary)))
    return tuple(vetoes)


def _read_rule(raw: dict, index: int, at: str, vocabulary: Vocabulary) -> RuleSpec:
    name = raw.get("name", f"rule-{index}")
    if not isinstance(name, str) or not name:
        raise RuleError(f"{at}: rule #{index}: name must be a non-empty string")
    here = f"{at}: rule '{name}'"
    _reject_unknown(raw, _RULE_KEYS, lambda key: f"{here}: unknown key '{key}'")
    any_terms = _terms(raw.get("any", []), f"{here}: any", "any" not in raw, vocabulary)
    raw_all = raw.get("all", [])
    if not isinstance(raw_all, list) or not all(isinstance(group, list) for group in raw_all):
        raise RuleError(f"{here}: all must be a list of term lists")
    all_groups = tuple(_terms(group, f"{here}: all[{n}]", False, vocabulary) for n, group in enumerate(raw_all))
    regexes = _strings(raw.get("regex", []), f"{here}: regex")
    case_sensitive = raw.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise RuleError(f"{here}: case_sensitive must be true or false")
    for pattern in regexes:
        try:
            compiled = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
        except re.error as exc:
            raise RuleError(f"{here}: bad regex {pattern!r}: {exc}") from None
        danger = backtracking_risk(compiled)
        if danger:
            raise RuleError(f"{here}: regex {pattern!r} can take exponential time ({danger}); "
                            "rewrite it without a repeat inside an unbounded repeat")
    if not any_terms and not regexes:
        raise RuleError(f"{here}: needs 'any' terms or a 'regex' to trigger it")
    scope = raw.get("scope", "both")
    if scope not in SCOPES:
        raise RuleError(f"{here}: scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    plurals = raw.get("plurals", True)
    if not isinstance(plurals, bool):
        raise RuleError(f"{here}: plurals must be true or false")
    repeat = raw.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= 20:
        raise RuleError(f"{here}: repeat must be a whole number from 1 to 20, not {repeat!r}")
    return RuleSpec(
        name=name,
        any=any_terms,
        all=all_groups,
        none=_terms(raw.get("none", []), f"{here}: none", True, vocabulary),
        regex=regexes,
        scope=scope,
        weight=_positive_number(raw.get("weight", 1.0), f"{here}: weight"),
        case_sensitive=case_sensitive,
        plurals=plurals,
        repeat=repeat,
    )


def _terms(value: object, what: str, allow_empty: bool, vocabulary: Vocabulary) -> tuple[str, ...]:
    """A term list with every "@name" replaced by that vocabulary's terms."""
    terms: list[str] = []
    for term in _strings(value, what):
        if term.startswith("@"):
            if term[1:] not in vocabulary:
                raise RuleError(f"{what}: unknown vocabulary {term!r} (define it under [vocabulary] first)")
            terms.extend(vocabulary[term[1:]])
            continue
        core = term[:-1] if term.endswith("*") else term
        if "*" in core:
            raise RuleError(f"{what}: '*' is only allowed at the end of a term: {term!r}")
        if not term_matching_form(core):
            raise RuleError(f"{what}: term {term!r} has no letters or digits")
        terms.append(term)
    if not terms and not allow_empty:
        raise RuleError(f"{what}: empty term group")
    return tuple(dict.fromkeys(terms))


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RuleError(f"{what}: must be a list of strings")
    return tuple(value)


def _positive_number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise RuleError(f"{what}: must be a positive number, not {value!r}")
    return float(value)


def _reject_unknown(table: dict, allowed: set[str], message) -> None:
    for key in table:
        if key not in allowed:
            raise RuleError(message(key))
