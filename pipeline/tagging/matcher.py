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
pattern and only when a tag that uses them could still fire (scan.py).

Most papers get no tags, so they must cost little more than the scan: tags
that need no other tag are tried first, and when none fires the paper is done
(see `_gate`). Evidence is quoted only for the tags that fire (evidence.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from pipeline.tagging.detex import detex
from pipeline.tagging.evidence import Field, TagMatch
from pipeline.tagging.keys import BitAllocator, KeyTable
from pipeline.tagging.rules import RuleFile
from pipeline.tagging.scan import Scanner


__all__ = ["RuleSet", "TagMatch"]


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
    repeat: int  # abstract hits of `any` needed when the title has none
    spec: object  # the RuleSpec, for saying what a rule lacked
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
    simple: _Rule | None  # the only rule, when any hit outside the vetoes is enough to fire the tag
    veto: int  # the tag's none-bits, plus the simple rule's
    domains: tuple[tuple[int, int], ...]  # [[tags.vetoes]]: (domain bits, unless bits)
    spec: object  # the TagSpec


def _simple_rule(rules: list[_Rule], threshold: float, title_weight: float) -> _Rule | None:
    """The tag's rule when one `any` hit anywhere is enough: most tags, decided by two bit tests."""
    if len(rules) != 1:
        return None
    rule = rules[0]
    enough = rule.weight * min(1.0, title_weight) >= threshold
    plain = rule.in_title and rule.in_abstract and not rule.all_bits and rule.repeat == 1
    return rule if plain and enough else None


def _domain_veto(domains: tuple[tuple[int, int], ...], mask: int) -> int:
    """The bits of the first non-clinical domain present without any of its exceptions, or 0."""
    for domain, unless in domains:
        if mask & domain and not mask & unless:
            return domain
    return 0


def _all_in(needed: tuple[int, ...], present: dict) -> bool:
    for index in needed:
        if index not in present:
            return False
    return True


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
        regex_bits: dict[str, int] = {}  # regex group name -> its term group's bit
        regex_tags: list[int] = []

        def group(terms, case_sensitive=False, plurals=True, regexes=()) -> int:
            if not terms and not regexes:
                return 0
            bit = bits.new()
            for term in terms:
                keys.add(term, bit, case_sensitive, plurals)
            for pattern in regexes:
                name = f"r{len(regex_bits)}"
                patterns[case_sensitive].append(f"(?P<{name}>{pattern})")
                regex_bits[name] = bit
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
                                   rule.scope in ("abstract", "both"), rule.weight, rule.repeat, rule))
                if rule.regex and number not in regex_tags:
                    regex_tags.append(number)
            trigger = 0
            for rule in rules:
                trigger |= rule.any_bits
            none_bits = group(tag.none)
            domains = tuple((group(veto.any), group(veto.unless)) for veto in tag.vetoes)
            simple = _simple_rule(rules, tag.threshold, self._title_weight)
            compiled.append(_Tag(tag.name, trigger, none_bits, tuple(rules), tag.threshold,
                                 tuple(index[name] for name in tag.implies),
                                 tuple(index[name] for name in tag.requires),
                                 simple, none_bits | (simple.none_bits if simple else 0), domains, tag))
        self._tags = compiled
        self._triggers = tuple(tag.trigger for tag in compiled)
        self._regex_tags = tuple(regex_tags)
        self._scanner = scanner = Scanner(keys, patterns, regex_bits, rule_file.path)
        self._keys = scanner.spans
        for tag in compiled:
            for rule in tag.rules:
                rule.any_kids = scanner.keys_serving(rule.any_bits)
                rule.context_kids = scanner.keys_serving(rule.context_bits)
        self._gate(compiled)

    def _gate(self, compiled: list[_Tag]) -> None:
        """Split the tags so that most papers are decided by a few integer tests.

        Tags that require another tag (anatomy and task tags require
        medical-imaging) cannot stand alone. When no required tag can be
        brought in by such tags themselves, and no standalone tag waits for a
        regex, a paper on which no standalone tag fires gets no tags at all:
        the other tags are not even evaluated. `_gate_bits` are the bits that
        can fire a standalone tag; a paper with none of them is done after the
        scan.
        """
        gate_tags = [i for i, tag in enumerate(compiled) if not tag.requires]
        gated_tags = [i for i, tag in enumerate(compiled) if tag.requires]
        self._plan = plan = tuple((i, tag.trigger, tag.veto, tag.simple, tag.domains) for i, tag in enumerate(compiled))
        self._gate_plan = tuple(plan[i] for i in gate_tags)
        self._gated_plan = tuple(plan[i] for i in gated_tags)
        self._implies = tuple(tag.implies for tag in compiled)
        self._implied = tuple(self._closure(compiled, i) for i in range(len(compiled)))
        self._requires = tuple(tag.requires for tag in compiled)
        needed = {r for i in gated_tags for r in compiled[i].requires}
        reachable = set(gated_tags)
        queue = list(reachable)
        while queue:
            for implied in compiled[queue.pop()].implies:
                if implied not in reachable:
                    reachable.add(implied)
                    queue.append(implied)
        self._gate_decides = not needed & reachable and not any(
            not compiled[i].requires for i in self._regex_tags)
        gate_bits = 0
        for i in gate_tags:
            gate_bits |= compiled[i].trigger
        self._gate_bits = gate_bits if self._gate_decides else -1

    @staticmethod
    def _closure(compiled: list[_Tag], start: int) -> frozenset:
        """Every tag that `start` brings in through implication, directly or not."""
        found: set[int] = set()
        queue = list(compiled[start].implies)
        while queue:
            index = queue.pop()
            if index not in found:
                found.add(index)
                queue.extend(compiled[index].implies)
        return frozenset(found)

    @property
    def terms(self) -> list[str]:
        """Every automaton key, in matching form; the floor benchmark scans with exactly these."""
        return self._scanner.terms

    def bare_automaton(self) -> ahocorasick.Automaton:
        """A fresh automaton of exactly these keys with no payload: the floor that tagging is measured against."""
        return self._scanner.bare_automaton()

    # -- for diagnosis: the slow, complete road ---------------------------------------

    def scanned(self, title: str, abstract: str | None) -> tuple[Field, Field]:
        """Both fields scanned, regexes included, whatever fires: what `why_not` reads."""
        fields = []
        for text in (detex(title) if title else "", detex(abstract) if abstract else ""):
            form, hits, mask = self._scanner.scan(text)
            field = Field(text, form, hits, mask)
            if self._regex_tags:
                self._scanner.scan_regexes(field)
            fields.append(field)
        return fields[0], fields[1]

    def quote(self, field: Field, bits: int) -> list[str]:
        """The words of `field` that serve any of `bits`, as written, in text order."""
        return self._keys.words(field, self._scanner.keys_serving(bits), bits)

    def count(self, field: Field, rule: _Rule) -> int:
        return field.count(rule.any_kids)

    def compiled(self, name: str) -> _Tag:
        return self._tags[self.tags.index(name)]

    @property
    def title_weight(self) -> float:
        return self._title_weight

    # -- tagging --------------------------------------------------------------------

    def tag(self, title: str, abstract: str | None) -> list[TagMatch]:
        """The tags this paper gets, in rule-file order, each with its evidence."""
        title_text = detex(title) if title else ""
        abstract_text = detex(abstract) if abstract else ""
        scan = self._scanner.scan
        title_form, title_hits, title_mask = scan(title_text)
        abstract_form, abstract_hits, abstract_mask = scan(abstract_text)
        both = title_mask | abstract_mask
        if not both & self._gate_bits:
            return []
        direct: dict[int, _Rule] = {}
        abstract_field = Field(abstract_text, abstract_form, abstract_hits, abstract_mask)
        self._fire_plan(self._gate_plan, title_mask, abstract_mask, abstract_field, direct)
        if not direct and self._gate_decides:
            return []
        self._fire_plan(self._gated_plan, title_mask, abstract_mask, abstract_field, direct)
        present = self._settle(direct, both)
        title_field = Field(title_text, title_form, title_hits, title_mask)
        if self._regex_tags:
            pending = [i for i in self._regex_tags if i not in present and _all_in(self._requires[i], present)]
            scan_regexes = self._scanner.scan_regexes
            if pending and (scan_regexes(title_field) | scan_regexes(abstract_field)):
                self._fire_plan([self._plan[i] for i in pending], title_field.mask, abstract_field.mask,
                                abstract_field, direct)
                present = self._settle(direct, title_field.mask | abstract_field.mask)
        if not present:
            return []
        return self._explain(present, direct, title_field, abstract_field)

    def _fire_plan(self, plan, title_mask: int, abstract_mask: int, abstract: Field,
                   fired: dict[int, _Rule]) -> None:
        """Add to `fired` the tags of `plan` that fire; a single-rule tag needs no scoring."""
        both = title_mask | abstract_mask
        for index, trigger, veto, simple, domains in plan:
            if both & trigger and not both & veto:
                if domains and _domain_veto(domains, both):
                    continue
                rule = simple if simple is not None else self._score(self._tags[index], title_mask, abstract_mask,
                                                                     abstract)
                if rule is not None:
                    fired[index] = rule

    def _score(self, tag: _Tag, title_mask: int, abstract_mask: int, abstract: Field) -> _Rule | None:
        """The strongest rule of `tag` when its fired rules together reach the threshold."""
        both = title_mask | abstract_mask
        title_weight = self._title_weight
        score = best_points = 0.0
        best = None
        for rule in tag.rules:
            scope = (title_mask if rule.in_title else 0) | (abstract_mask if rule.in_abstract else 0)
            if not scope & rule.any_bits or both & rule.none_bits:
                continue
            if rule.all_bits and not all(scope & bits for bits in rule.all_bits):
                continue
            in_title = rule.in_title and title_mask & rule.any_bits
            if rule.repeat > 1 and not in_title and abstract.count(rule.any_kids) < rule.repeat:
                continue
            points = rule.weight * (title_weight if in_title else 1.0)
            score += points
            if points > best_points:
                best, best_points = rule, points
        return best if best is not None and score >= tag.threshold else None

    def _settle(self, direct: dict[int, _Rule], mask: int) -> dict[int, int | None]:
        """`_resolve`, where a tag brought in by implication still answers to its own vetoes.

        A modality word implies medical imaging, but CT of castings must not
        become medical imaging because "CT" implied it: when an implied tag is
        vetoed, the tags whose implication brought it in are dropped too.
        """
        present = self._resolve(direct)
        blocked = [index for index, origin in present.items()
                   if origin is not None and self._vetoed(self._tags[index], mask)]
        if not blocked:
            return present
        for index in [i for i in direct if any(b in self._implied[i] for b in blocked)]:
            del direct[index]
        return self._resolve(direct)

    @staticmethod
    def _vetoed(tag: _Tag, mask: int) -> bool:
        return bool(mask & tag.none_bits or (tag.domains and _domain_veto(tag.domains, mask)))

    def _resolve(self, direct: dict[int, _Rule]) -> dict[int, int | None]:
        """Add implied tags and drop tags whose prerequisites are absent.

        Returns tag index -> None for a tag that fired itself, or the index of
        the self-fired tag whose implication brought it in.
        """
        if not direct:
            return {}
        implies, requires = self._implies, self._requires
        alive = sorted(direct)
        while True:
            present: dict[int, int | None] = dict.fromkeys(alive)
            queue = list(alive)
            for index in queue:  # breadth first: the loop also visits what it appends
                if implies[index]:
                    origin = present[index]
                    if origin is None:
                        origin = index
                    for implied in implies[index]:
                        if implied not in present:
                            present[implied] = origin
                            queue.append(implied)
            kept = [i for i in alive if not requires[i] or _all_in(requires[i], present)]
            if len(kept) == len(alive):
                return present
            alive = kept

    def _explain(self, present, direct, title_field: Field, abstract_field: Field) -> list[TagMatch]:
        explained: dict[int, TagMatch] = {}
        for index in sorted(present, key=lambda i: (present[i] is not None, i)):
            origin = present[index]
            if origin is None:
                explained[index] = self._keys.evidence(self._tags[index].name, direct[index],
                                                       title_field, abstract_field)
            else:
                source = explained[origin]
                explained[index] = TagMatch(self._tags[index].name, f"implied by {source.tag}", source.field,
                                            source.matched)
        return [explained[index] for index in sorted(explained)]
