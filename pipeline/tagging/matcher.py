"""Single-pass tagging: every rule term in one Aho-Corasick automaton.

Per-term regular expressions cost one scan of the abstract per term; with
several hundred terms that is two orders of magnitude slower than one
automaton scan. So every term of every rule is compiled into one automaton
over the matching form of the text (see detex.py), where word boundaries are
spaces built into the keys: " ct " cannot fire inside "predict" and needs no
check after the hit. The hits are folded into one integer bit mask per field
(one bit per term group, see keys.py), so evaluating a rule is a handful of
integer operations. Only case-sensitive acronyms are verified after the hit.
Regular expressions, for the few rules that need them, run as one combined
pattern and only when a tag that uses them could still fire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.tagging.detex import detex, matching_form
from pipeline.tagging.keys import CASE_CHECK, SEPARATORS_TO_SPACE, BitAllocator, KeyTable
from pipeline.tagging.rules import RuleError, RuleFile

_WORD_TAIL = re.compile(r"\w*")
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
    context_bits: int  # all the all-groups' bits together, for evidence
    none_bits: int
    in_title: bool
    in_abstract: bool
    weight: float
    any_kids: frozenset = frozenset()  # automaton keys that can satisfy `any`, for evidence
    context_kids: frozenset = frozenset()


@dataclass(frozen=True, slots=True)
class _Tag:
    name: str
    trigger: int
    none_bits: int
    rules: tuple[_Rule, ...]
    threshold: float
    implies: tuple[int, ...]
    requires: tuple[int, ...]


class _Field:
    """One field of one paper: its readable text, what the scan found, and its bits."""

    __slots__ = ("text", "form", "hits", "spans", "mask", "first")

    def __init__(self, text: str) -> None:
        self.text = text
        self.form = matching_form(text)
        self.spans: list[tuple[int, int, int]] = []  # (start, stop, bits) found by regex
        self.first: dict[int, int] | None = None  # key id -> end of its first counted hit


class RuleSet:
    """Compiled rules: `tag(title, abstract)` returns the tags a paper gets and why."""

    def __init__(self, rule_file: RuleFile) -> None:
        self.version = rule_file.version
        self.path = rule_file.path
        self.tags = [tag.name for tag in rule_file.tags]
        self._title_weight = rule_file.title_weight
        index = {name: i for i, name in enumerate(self.tags)}
        bits = BitAllocator()
        keys = KeyTable()
        patterns: dict[bool, list[str]] = {False: [], True: []}  # case_sensitive -> named patterns
        self._regex_bits: dict[str, int] = {}
        regex_tags: list[int] = []

        def group(terms, case_sensitive=False, plurals=True, regexes=()) -> int:
            if not terms and not regexes:
                return 0
            bit = bits.new()
            for term in terms:
                keys.add(term, bit, case_sensitive, plurals)
            for pattern in regexes:
                name = f"r{len(self._regex_bits)}"
                patterns[case_sensitive].append(f"(?P<{name}>{pattern})")
                self._regex_bits[name] = bit
            return bit

        compiled: list[_Tag] = []
        for number, tag in enumerate(rule_file.tags):
            rules = []
            for rule in tag.rules:
                cs, pl = rule.case_sensitive, rule.plurals
                all_bits = tuple(group(terms, cs, pl) for terms in rule.all)
                context = 0
                for bit in all_bits:
                    context |= bit
                rules.append(_Rule(rule.name, group(rule.any, cs, pl, rule.regex), all_bits, context,
                                   group(rule.none), rule.scope in ("title", "both"),
                                   rule.scope in ("abstract", "both"), rule.weight))
                if rule.regex and number not in regex_tags:
                    regex_tags.append(number)
            trigger = 0
            for rule in rules:
                trigger |= rule.any_bits
            compiled.append(_Tag(tag.name, trigger, group(tag.none), tuple(rules), tag.threshold,
                                 tuple(index[name] for name in tag.implies),
                                 tuple(index[name] for name in tag.requires)))
        self._tags = compiled
        self._triggers = tuple(tag.trigger for tag in compiled)
        self._regex_tags = tuple(regex_tags)
        self._automaton, self._kid_bits = keys.automaton()
        self._kid_cased = keys.cased
        self._kid_length = keys.length
        self._kid_stem = keys.stem
        for tag in compiled:
            for rule in tag.rules:
                rule.any_kids = self._kids_with(rule.any_bits)
                rule.context_kids = self._kids_with(rule.context_bits)
        try:
            self._folded_regex = re.compile("|".join(patterns[False])) if patterns[False] else None
            self._cased_regex = re.compile("|".join(patterns[True])) if patterns[True] else None
        except re.error as exc:  # each pattern compiled alone at load; only the combination can fail
            raise RuleError(f"{rule_file.path}: regexes cannot be combined "
                            f"(named groups or backreferences?): {exc}") from None

    def _kids_with(self, bits: int) -> frozenset:
        return frozenset(kid for kid, kid_bits in enumerate(self._kid_bits)
                         if kid_bits & bits or any(b & bits for _, b in self._kid_cased[kid]))

    @property
    def terms(self) -> list[str]:
        """Every automaton key, in matching form; the bench scans with exactly these."""
        return list(self._automaton.keys())

    # -- scanning -------------------------------------------------------------------

    def _scan(self, field: _Field) -> None:
        field.hits = hits = list(self._automaton.iter(field.form))
        kid_bits = self._kid_bits
        mask = 0
        for _end, kid in hits:
            mask |= kid_bits[kid]
        if mask & CASE_CHECK:
            text = field.text
            verified = []
            for end, kid in hits:
                if kid_bits[kid] & CASE_CHECK:
                    start, stop = self._span(text, end, kid)
                    spelled = text[start:stop].translate(SEPARATORS_TO_SPACE)
                    for cased, bits in self._kid_cased[kid]:
                        if spelled == cased or (self._kid_stem[kid] and spelled.startswith(cased)):
                            mask |= bits
                            verified.append((end, kid))
                elif kid_bits[kid]:
                    verified.append((end, kid))
            field.hits = verified
            mask &= ~CASE_CHECK
        field.mask = mask

    def _scan_regexes(self, field: _Field) -> int:
        found_bits = 0
        for regex, text, shift in ((self._folded_regex, field.form, 1), (self._cased_regex, field.text, 0)):
            if regex is None:
                continue
            for found in regex.finditer(text):
                bits = self._regex_bits.get(found.lastgroup or "", 0)
                start, stop = found.span()
                readable = field.text[max(start - shift, 0): stop - shift]
                lead = len(readable) - len(readable.lstrip())
                start, stop = start - shift + lead, start - shift + lead + len(readable.strip())
                found_bits |= bits
                field.spans.append((start, stop, bits))
        field.mask |= found_bits
        return found_bits

    def _span(self, text: str, end: int, kid: int) -> tuple[int, int]:
        """Where the key that ended at `end` (matching-form index) sits in the readable text."""
        start = end - self._kid_length[kid] + 1  # readable index of the word's first character
        if self._kid_stem[kid]:
            return start, _WORD_TAIL.match(text, end).end()
        return start, end - 1

    # -- tagging --------------------------------------------------------------------

    def tag(self, title: str, abstract: str | None) -> list[TagMatch]:
        """The tags this paper gets, in rule-file order, each with its evidence."""
        title_field, abstract_field = _Field(detex(title or "")), _Field(detex(abstract or ""))
        self._scan(title_field)
        self._scan(abstract_field)
        both = title_field.mask | abstract_field.mask
        if not both:
            return []
        candidates = [index for index, trigger in enumerate(self._triggers) if both & trigger]
        direct = self._fire(title_field.mask, abstract_field.mask, candidates)
        present = self._resolve(direct)
        if self._regex_tags:
            pending = [i for i in self._regex_tags if i not in present
                       and all(r in present for r in self._tags[i].requires)]
            if pending and (self._scan_regexes(title_field) | self._scan_regexes(abstract_field)):
                direct.update(self._fire(title_field.mask, abstract_field.mask, pending))
                present = self._resolve(direct)
        if not present:
            return []
        return self._explain(present, direct, title_field, abstract_field)

    def _fire(self, title_mask: int, abstract_mask: int, indices) -> dict[int, _Rule]:
        """Tags whose rules score enough, each with its strongest rule."""
        both = title_mask | abstract_mask
        title_weight = self._title_weight
        fired: dict[int, _Rule] = {}
        for index in indices:
            tag = self._tags[index]
            if not both & tag.trigger or both & tag.none_bits:
                continue
            score = best_points = 0.0
            best = None
            for rule in tag.rules:
                scope = (title_mask if rule.in_title else 0) | (abstract_mask if rule.in_abstract else 0)
                if not scope & rule.any_bits or both & rule.none_bits:
                    continue
                if rule.all_bits and not all(scope & bits for bits in rule.all_bits):
                    continue
                points = rule.weight * (title_weight if rule.in_title and title_mask & rule.any_bits else 1.0)
                score += points
                if points > best_points:
                    best, best_points = rule, points
            if best is not None and score >= tag.threshold:
                fired[index] = best
        return fired

    def _resolve(self, direct: dict[int, _Rule]) -> dict[int, int | None]:
        """Add implied tags and drop tags whose prerequisites are absent.

        Returns tag index -> None for a tag that fired itself, or the index of
        the self-fired tag whose implication brought it in.
        """
        if not direct:
            return {}
        alive = set(direct)
        while True:
            present: dict[int, int | None] = dict.fromkeys(alive)
            queue = sorted(alive)
            while queue:
                index = queue.pop(0)
                origin = present[index] if present[index] is not None else index
                for implied in self._tags[index].implies:
                    if implied not in present:
                        present[implied] = origin
                        queue.append(implied)
            dropped = {i for i in alive if not all(r in present for r in self._tags[i].requires)}
            if not dropped:
                return present
            alive -= dropped

    def _explain(self, present, direct, title_field: _Field, abstract_field: _Field) -> list[TagMatch]:
        explained: dict[int, TagMatch] = {}
        out = []
        for index in sorted(present, key=lambda i: (present[i] is not None, i)):
            origin = present[index]
            if origin is None:
                explained[index] = self._evidence(self._tags[index].name, direct[index], title_field, abstract_field)
            else:
                source = explained[origin]
                explained[index] = TagMatch(self._tags[index].name, f"implied by {source.tag}", source.field,
                                            source.matched)
        for index in sorted(explained):
            out.append(explained[index])
        return out

    def _words(self, field: _Field, kids: frozenset, bits: int) -> list[tuple[int, str]]:
        """(position, word as written) of the first hit of each key in `kids`, plus regex hits."""
        first = field.first
        if first is None:
            first = field.first = {}
            for end, kid in field.hits:
                if kid not in first:
                    first[kid] = end
        found = []
        for kid in kids.intersection(first):  # iterates the few keys found, not the rule's many
            start, stop = self._span(field.text, first[kid], kid)
            found.append((start, field.text[start:stop]))
        found.extend((start, field.text[start:stop]) for start, stop, span_bits in field.spans if span_bits & bits)
        found.sort()
        return found

    def _evidence(self, tag: str, rule: _Rule, title_field: _Field, abstract_field: _Field) -> TagMatch:
        words: list[str] = []
        seen: set[str] = set()
        where = []
        for name, field, allowed in (("title", title_field, rule.in_title), ("abstract", abstract_field, rule.in_abstract)):
            if not allowed or not field.mask & (rule.any_bits | rule.context_bits):
                continue
            if field.mask & rule.any_bits:
                where.append(name)
            for kids, bits in ((rule.any_kids, rule.any_bits), (rule.context_kids, rule.context_bits)):
                if not field.mask & bits:
                    continue
                for _position, word in self._words(field, kids, bits):
                    key = word.lower()
                    if key not in seen:
                        seen.add(key)
                        words.append(word)
        return TagMatch(tag, rule.name, "+".join(where), "; ".join(words[:MAX_EVIDENCE_WORDS]))
