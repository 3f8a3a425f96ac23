"""One scan per field: the automaton pass, the bits it grants, and the regex pass.

The scan is the part of tagging that every paper pays for, so it does the
least it can: one automaton pass over the matching form, one plain loop that
ORs each hit's group bits together, and a spelling check only for the hits of
case-sensitive keys. The regex pass runs only when a tag that needs it could
still fire (the caller decides).
"""

from __future__ import annotations

import re
from functools import reduce
from itertools import filterfalse
from operator import or_

import ahocorasick

from pipeline.tagging.detex import matching_form
from pipeline.tagging.evidence import Field, KeySpans
from pipeline.tagging.keys import CASE_CHECK, SEPARATORS_TO_SPACE, KeyTable
from pipeline.tagging.rules import RuleError


class Scanner:
    """The compiled automaton and regexes of a rule set."""

    def __init__(self, keys: KeyTable, patterns: dict[bool, list[str]], regex_bits: dict[str, int],
                 path: str) -> None:
        self._automaton, self._kid_bits = keys.automaton()
        self._iter = self._automaton.iter
        self._kid_cased = keys.cased
        self._is_cased = [bool(cased) for cased in keys.cased]
        self._group_bits = [bits | reduce(or_, (b for _, b in cased), 0)
                            for bits, cased in zip(self._kid_bits, keys.cased, strict=True)]
        self.spans = KeySpans(keys.length, keys.stem)
        self._regex_bits = regex_bits
        try:
            self._folded_regex = re.compile("|".join(patterns[False])) if patterns[False] else None
            self._cased_regex = re.compile("|".join(patterns[True])) if patterns[True] else None
        except re.error as exc:  # each pattern compiled alone at load; only the combination can fail
            raise RuleError(f"{path}: regexes cannot be combined (named groups or backreferences?): {exc}") from None

    def keys_serving(self, bits: int) -> frozenset:
        """The automaton keys that can grant any of `bits`, spelling permitting: where evidence comes from."""
        return frozenset(kid for kid, group_bits in enumerate(self._group_bits) if group_bits & bits)

    @property
    def terms(self) -> list[str]:
        return list(self._automaton.keys())

    def bare_automaton(self) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for key in self.terms:
            automaton.add_word(key, key)
        automaton.make_automaton()
        return automaton

    def scan(self, text: str) -> tuple[str, list, int]:
        """The matching form of `text`, its verified hits and the group bits they grant."""
        form = matching_form(text)
        hits = list(self._iter(form))
        if not hits:
            return form, hits, 0
        kid_bits = self._kid_bits
        mask = 0
        for _end, kid in hits:  # a plain loop: faster here than reduce over chained maps
            mask |= kid_bits[kid]
        if mask & CASE_CHECK:
            return form, *self._verify_case(text, hits, mask)
        return form, hits, mask

    def _verify_case(self, text: str, hits: list, mask: int) -> tuple[list, int]:
        """Grant a case-sensitive key's bits only when the text spells it exactly.

        A hit whose spelling fails is dropped, so it is never quoted as evidence.
        """
        kid_cased, kid_stem, span, is_cased = self._kid_cased, self.spans.stem, self.spans.span, self._is_cased
        failed = []
        for hit in hits:
            end, kid = hit
            if not is_cased[kid]:
                continue
            start, stop = span(text, end, kid)
            spelled = text[start:stop].translate(SEPARATORS_TO_SPACE)
            granted = False
            for cased, bits in kid_cased[kid]:
                if spelled == cased or (kid_stem[kid] and spelled.startswith(cased)):
                    mask |= bits
                    granted = True
            if not granted:
                failed.append(hit)
        if failed:
            hits = list(filterfalse(set(failed).__contains__, hits))
        return hits, mask & ~CASE_CHECK

    def scan_regexes(self, field: Field) -> int:
        """Run the rule regexes over one field; record their spans and bits on it."""
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
