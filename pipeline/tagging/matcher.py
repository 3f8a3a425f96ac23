"""Single-pass tagging: every rule term in one Aho-Corasick automaton.

Per-term regular expressions cost one scan of the abstract per term; with a
few hundred terms that is two orders of magnitude slower than one automaton
scan. So every term of every rule is compiled into one automaton over the
matching form of the text (see detex.py), where word boundaries are spaces
built into the keys: " ct " cannot fire inside "predict" and needs no check
after the hit. What the scan yields is folded into one integer bit mask per
field (one bit per term group), so evaluating a rule is a handful of integer
operations. Only case-sensitive acronyms ("CT" but not "ct") are verified
after the hit, against the original spelling. Regular expressions, for the
few rules that need them, run as one combined pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from pipeline.tagging.detex import detex, matching_form, term_matching_form
from pipeline.tagging.rules import RuleFile, RuleError

_CASE_CHECK = 1  # bit 0 marks hits whose spelling must still be verified
_WORD_TAIL = re.compile(r"\w*")
_SEPARATORS_TO_SPACE = str.maketrans({ch: " " for ch in "-_/\\()[]{},.;:!?\"'&+=<>|~`^%$#@*\u2010\u2011\u2013\u2014"})
MAX_EVIDENCE_WORDS = 6


@dataclass(frozen=True, slots=True)
class TagMatch:
    """Why a paper carries a tag: the rule that fired, where, and on which words."""

    tag: str
    rule: str
    field: str  # "title", "abstract" or "title+abstract"
    matched: str  # the words that fired, "; "-separated, as written in the paper


@dataclass(slots=True)
class _Rule:
    name: str
    any_bits: int
    all_bits: tuple[int, ...]
    none_bits: int
    in_title: bool
    in_abstract: bool
    weight: float


@dataclass(slots=True)
class _Tag:
    name: str
    trigger: int
    none_bits: int
    rules: tuple[_Rule, ...]
    threshold: float
    implies: tuple[int, ...]
    requires: tuple[int, ...]


class _Bits:
    def __init__(self) -> None:
        self.next = 1  # bit 0 is _CASE_CHECK

    def new(self) -> int:
        bit = 1 << self.next
        self.next += 1
        return bit


def _plural_endings(form: str) -> list[tuple[int, str]]:
    """How to pluralise the last word of a term: (characters to drop, suffix) pairs.

    Computed on the lower-case form and applied to both spellings, so "PACS"
    and "pacs" get the same variants.
    """
    last = form.rsplit(" ", 1)[-1].lower()
    if not last[-1:].isalpha():
        return []
    endings = [(0, "s")]
    if last.endswith(("s", "x", "ch", "sh")):
        endings.append((0, "es"))
    elif len(last) > 2 and last.endswith("y") and last[-2] not in "aeiou":
        endings.append((1, "ies"))
    return endings


def _variants(form: str, endings: list[tuple[int, str]]) -> list[str]:
    return [form] + [form[: len(form) - drop] + suffix for drop, suffix in endings]


def _cased_form(term: str) -> str:
    return " ".join(term.translate(_SEPARATORS_TO_SPACE).split())


class _KeyTable:
    """Collects automaton keys; several terms may share a key."""

    def __init__(self) -> None:
        self.kid_of: dict[str, int] = {}
        self.plain_bits: list[int] = []
        self.cased: list[list[tuple[str, int]]] = []  # per key: (exact spelling, bits)
        self.length: list[int] = []
        self.stem: list[bool] = []

    def add(self, term: str, bits: int, case_sensitive: bool, plurals: bool) -> None:
        is_stem = term.endswith("*")
        core = term[:-1] if is_stem else term
        form = term_matching_form(core)
        endings = [] if is_stem or not plurals else _plural_endings(form)
        forms = _variants(form, endings)
        cased = _cased_form(core) if case_sensitive and any(ch.isupper() for ch in core) else None
        cased_forms: list[str | None] = [None] * len(forms) if cased is None else _variants(cased, endings)
        for variant, cased_variant in zip(forms, cased_forms, strict=True):
            key = " " + variant if is_stem else " " + variant + " "
            kid = self.kid_of.get(key)
            if kid is None:
                kid = self.kid_of[key] = len(self.plain_bits)
                self.plain_bits.append(0)
                self.cased.append([])
                self.length.append(len(key))
                self.stem.append(is_stem)
            if cased_variant is None:
                self.plain_bits[kid] |= bits
            else:
                self.cased[kid].append((cased_variant, bits))

    def automaton(self) -> tuple[ahocorasick.Automaton, list[int]]:
        masks = [bits | (_CASE_CHECK if self.cased[kid] else 0) for kid, bits in enumerate(self.plain_bits)]
        automaton = ahocorasick.Automaton()
        for key, kid in self.kid_of.items():
            automaton.add_word(key, kid)
        automaton.make_automaton()
        return automaton, masks


class RuleSet:
    """Compiled rules: `tag(title, abstract)` returns the tags a paper gets and why."""

    def __init__(self, rule_file: RuleFile) -> None:
        self.version = rule_file.version
        self.path = rule_file.path
        self.tags = [tag.name for tag in rule_file.tags]
        self._title_weight = rule_file.title_weight
        index = {name: i for i, name in enumerate(self.tags)}
        bits = _Bits()
        keys = _KeyTable()
        regex_parts: list[str] = []
        self._regex_bits: dict[str, int] = {}

        def group(terms, case_sensitive=False, plurals=True, patterns=()) -> int:
            if not terms and not patterns:
                return 0
            bit = bits.new()
            for term in terms:
                keys.add(term, bit, case_sensitive, plurals)
            for pattern in patterns:
                name = f"r{len(regex_parts)}"
                flags = "" if case_sensitive else "(?i)"
                regex_parts.append(f"(?P<{name}>{flags and '(?i:'}{pattern}{flags and ')'})")
                self._regex_bits[name] = bit
            return bit

        compiled: list[_Tag] = []
        for tag in rule_file.tags:
            rules = []
            for rule in tag.rules:
                cs, pl = rule.case_sensitive, rule.plurals
                rules.append(
                    _Rule(
                        name=rule.name,
                        any_bits=group(rule.any, cs, pl, rule.regex),
                        all_bits=tuple(group(terms, cs, pl) for terms in rule.all),
                        none_bits=group(rule.none),
                        in_title=rule.scope in ("title", "both"),
                        in_abstract=rule.scope in ("abstract", "both"),
                        weight=rule.weight,
                    )
                )
            trigger = 0
            for rule in rules:
                trigger |= rule.any_bits
            compiled.append(
                _Tag(
                    name=tag.name,
                    trigger=trigger,
                    none_bits=group(tag.none),
                    rules=tuple(rules),
                    threshold=tag.threshold,
                    implies=tuple(index[name] for name in tag.implies),
                    requires=tuple(index[name] for name in tag.requires),
                )
            )
        self._tags = compiled
        self._automaton, self._kid_bits = keys.automaton()
        self._kid_cased = keys.cased
        self._kid_length = keys.length
        self._kid_stem = keys.stem
        try:
            self._regex = re.compile("|".join(regex_parts)) if regex_parts else None
        except re.error as exc:  # each pattern compiled alone at load; only the combination can fail here
            raise RuleError(f"{rule_file.path}: regexes cannot be combined (named groups or backreferences?): {exc}") from None

    @property
    def terms(self) -> list[str]:
        """Every automaton key, as matched; the bench scans with exactly these."""
        return list(self._automaton.keys())

    # -- scanning -------------------------------------------------------------------

    def _scan(self, readable: str) -> tuple[int, list, list]:
        """Bits of every term group found in one field, plus the hits for evidence."""
        hits = list(self._automaton.iter(matching_form(readable)))
        kid_bits = self._kid_bits
        mask = 0
        for _end, kid in hits:
            mask |= kid_bits[kid]
        extra: list[tuple[int, int, int]] = []  # (start, end, bits) in readable coordinates
        if mask & _CASE_CHECK:
            for end, kid in hits:
                if kid_bits[kid] & _CASE_CHECK:
                    start, stop = self._span(readable, end, kid)
                    spelled = readable[start:stop].translate(_SEPARATORS_TO_SPACE)
                    for cased, bits in self._kid_cased[kid]:
                        if spelled == cased or (self._kid_stem[kid] and spelled.startswith(cased)):
                            mask |= bits
                            extra.append((start, stop, bits))
            mask &= ~_CASE_CHECK
        if self._regex is not None:
            for found in self._regex.finditer(readable):
                bits = self._regex_bits.get(found.lastgroup or "", 0)
                if bits:
                    mask |= bits
                    extra.append((found.start(), found.end(), bits))
        return mask, hits, extra

    def _span(self, readable: str, end: int, kid: int) -> tuple[int, int]:
        """Where the key that ended at `end` (matching-form index) sits in `readable`."""
        start = end - self._kid_length[kid] + 1  # readable index of the word's first char
        if self._kid_stem[kid]:
            return start, _WORD_TAIL.match(readable, end).end()
        return start, end - 1

    # -- tagging --------------------------------------------------------------------

    def tag(self, title: str, abstract: str | None) -> list[TagMatch]:
        """The tags this paper gets, in rule-file order, each with its evidence."""
        title_text = detex(title or "")
        abstract_text = detex(abstract or "")
        title_mask, title_hits, title_extra = self._scan(title_text)
        abstract_mask, abstract_hits, abstract_extra = self._scan(abstract_text)
        both = title_mask | abstract_mask

        direct: dict[int, tuple[_Rule, int]] = {}  # tag index -> (best rule, its fields mask)
        for index, tag in enumerate(self._tags):
            if not both & tag.trigger or both & tag.none_bits:
                continue
            score = 0.0
            best: tuple[float, _Rule] | None = None
            for rule in tag.rules:
                scope = (title_mask if rule.in_title else 0) | (abstract_mask if rule.in_abstract else 0)
                if not scope & rule.any_bits or both & rule.none_bits:
                    continue
                if any(not scope & bits for bits in rule.all_bits):
                    continue
                points = rule.weight * (self._title_weight if rule.in_title and title_mask & rule.any_bits else 1.0)
                score += points
                if best is None or points > best[0]:
                    best = (points, rule)
            if best is not None and score >= tag.threshold:
                direct[index] = best[1]

        present = self._resolve(direct)
        fields = ((title_text, title_hits, title_extra), (abstract_text, abstract_hits, abstract_extra))
        evidence: dict[int, TagMatch] = {}
        for index in sorted(present, key=lambda i: (present[i] is not None, i)):
            source = present[index]
            if source is None:
                rule = direct[index]
                match = self._evidence(self._tags[index].name, rule, fields)
            else:
                origin = evidence[source]
                match = TagMatch(self._tags[index].name, f"implied by {origin.tag}", origin.field, origin.matched)
            evidence[index] = match
        return [evidence[index] for index in sorted(evidence)]

    def _resolve(self, direct: dict[int, _Rule]) -> dict[int, int | None]:
        """Add implied tags and drop tags whose prerequisites are absent.

        Returns tag index -> None for tags that fired themselves, or the index
        of the tag that implied it.
        """
        alive = set(direct)
        while True:
            present: dict[int, int | None] = {index: None for index in alive}
            queue = sorted(alive)
            while queue:
                index = queue.pop(0)
                for implied in self._tags[index].implies:
                    if implied not in present:
                        present[implied] = index
                        queue.append(implied)
            dropped = {i for i in alive if not all(r in present for r in self._tags[i].requires)}
            if not dropped:
                break
            alive -= dropped
        implied_only = {i: src for i, src in present.items() if src is not None}
        for index, src in list(implied_only.items()):
            while present.get(src) is not None and src not in alive:  # point at a tag that fired itself
                src = present[src]
            present[index] = src
        return present

    def _evidence(self, tag: str, rule: _Rule, fields) -> TagMatch:
        words: list[str] = []
        seen: set[str] = set()
        where = []
        for name, (text, hits, extra), allowed in zip(("title", "abstract"), fields, (rule.in_title, rule.in_abstract)):
            if not allowed:
                continue
            found_trigger = False
            context_bits = 0
            for bits in rule.all_bits:
                context_bits |= bits
            for wanted in (rule.any_bits, context_bits):
                if not wanted:
                    continue
                spans = [self._span(text, end, kid) for end, kid in hits if self._kid_bits[kid] & wanted]
                spans += [(start, stop) for start, stop, bits in extra if bits & wanted]
                if spans and wanted == rule.any_bits:
                    found_trigger = True
                for start, stop in sorted(spans):
                    word = text[start:stop]
                    if word.lower() not in seen:
                        seen.add(word.lower())
                        words.append(word)
            if found_trigger:
                where.append(name)
        return TagMatch(tag, rule.name, "+".join(where), "; ".join(words[:MAX_EVIDENCE_WORDS]))
