"""The words behind a tag: quoting, from the paper as written, what fired.

Evidence is only needed for the few papers that get tags, so none of it is
prepared during the scan. When a paper does get tags, each field's hits are
turned once into a position-ordered list of (start, word, bits) entries, one
per key (its first counted hit) and one per regex hit; a rule's evidence is
then a filter of that list by the rule's bits, instead of a fresh lookup,
slice and sort for every tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter

_WORD_TAIL = re.compile(r"\w*")
MAX_EVIDENCE_WORDS = 6
_KID_END = itemgetter(1, 0)  # (end, key id) -> (key id, end)


@dataclass(frozen=True, slots=True)
class TagMatch:
    """Why a paper carries a tag: the rule that fired, where, and on which words."""

    tag: str
    rule: str
    field: str  # "title", "abstract" or "title+abstract"
    matched: str  # the words that fired, "; "-separated, as written in the paper


class Field:
    """One field of one paper: its readable text, what the scan found, and its bits."""

    __slots__ = ("text", "form", "hits", "mask", "spans", "entries")

    def __init__(self, text: str, form: str, hits: list, mask: int) -> None:
        self.text = text
        self.form = form
        self.hits = hits  # (end in matching form, key id), verified
        self.mask = mask
        self.spans: list[tuple[int, int, int]] = []  # (start, stop, bits) found by regex
        self.entries: list[tuple[int, str, int]] | None = None


class KeySpans:
    """Where an automaton key's hit sits in the readable text, and which groups it can serve."""

    def __init__(self, length: list[int], stem: list[bool], group_bits: list[int]) -> None:
        self.length = length
        self.stem = stem
        self.group_bits = group_bits  # per key: every group bit it carries, cased or not

    def span(self, text: str, end: int, kid: int) -> tuple[int, int]:
        """The readable span of the key that ended at `end` (matching-form index)."""
        start = end - self.length[kid] + 1  # readable index of the word's first character
        if self.stem[kid]:
            return start, _WORD_TAIL.match(text, end).end()
        return start, end - 1

    def entries(self, field: Field) -> list[tuple[int, str, int]]:
        """(start, word as written, bits) of each key's first hit and each regex hit, in text order."""
        if field.entries is None:
            text, length, stem, group_bits = field.text, self.length, self.stem, self.group_bits
            entries = []
            for kid, end in dict(map(_KID_END, reversed(field.hits))).items():  # the earliest hit wins
                start = end - length[kid] + 1
                stop = _WORD_TAIL.match(text, end).end() if stem[kid] else end - 1
                entries.append((start, text[start:stop], group_bits[kid]))
            entries.extend((start, text[start:stop], bits) for start, stop, bits in field.spans)
            entries.sort()
            field.entries = entries
        return field.entries

    def evidence(self, tag: str, rule, title: Field, abstract: Field) -> TagMatch:
        """The rule's own words first, then its context words; each once, at most six."""
        words: list[str] = []
        seen: set[str] = set()
        where = []
        any_bits, context_bits = rule.any_bits, rule.context_bits
        for name, field, allowed in (("title", title, rule.in_title), ("abstract", abstract, rule.in_abstract)):
            mask = field.mask
            if not allowed or not mask & (any_bits | context_bits):
                continue
            if mask & any_bits:
                where.append(name)
            if len(words) >= MAX_EVIDENCE_WORDS:
                continue
            entries = self.entries(field)
            for bits in (any_bits, context_bits):
                if not mask & bits:
                    continue
                for word in [word for _start, word, entry_bits in entries if entry_bits & bits]:
                    key = word.lower()
                    if key not in seen:
                        seen.add(key)
                        words.append(word)
        return TagMatch(tag, rule.name, "+".join(where), "; ".join(words[:MAX_EVIDENCE_WORDS]))
