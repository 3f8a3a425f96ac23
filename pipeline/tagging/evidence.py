"""The words behind a tag: quoting, from the paper as written, what fired.

Evidence is only needed for the papers that get tags, so none of it is
prepared during the scan. When a paper does get tags, a rule's words are the
first hits of the keys it can use that the field actually contains: a set
intersection of the rule's keys with the few keys found, not a walk over the
rule's many terms. Where a key's hit sits in the text is worked out once per
paper and shared by every rule that quotes it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_WORD_TAIL = re.compile(r"\w*")
_TAIL = _WORD_TAIL.match
MAX_EVIDENCE_WORDS = 6


@dataclass(frozen=True, slots=True)
class TagMatch:
    """Why a paper carries a tag: the rule that fired, where, and on which words."""

    tag: str
    rule: str
    field: str  # "title", "abstract" or "title+abstract"
    matched: str  # the words that fired, "; "-separated, as written in the paper


class Field:
    """One field of one paper: its readable text, what the scan found, and its bits."""

    __slots__ = ("text", "form", "hits", "mask", "spans", "first", "places", "counts")

    def __init__(self, text: str, form: str, hits: list, mask: int) -> None:
        self.text = text
        self.form = form
        self.hits = hits  # (end in matching form, key id), verified, in text order
        self.mask = mask
        self.spans: list[tuple[int, int, int]] = []  # (start, stop, bits) found by regex
        self.first: dict[int, int] | None = None  # key id -> end of its first hit
        self.places: dict[int, tuple[int, int]] = {}  # key id -> (start, stop) of that hit, once asked
        self.counts: Counter | None = None  # key id -> hits, once a rule with `repeat` asks

    def count(self, kids: frozenset) -> int:
        """How many hits of the keys `kids` the field has: how often a rule's words occur."""
        counts = self.counts
        if counts is None:
            counts = self.counts = Counter(kid for _end, kid in self.hits)
        return sum(counts[kid] for kid in kids.intersection(counts))


class KeySpans:
    """Where an automaton key's hit sits in the readable text."""

    def __init__(self, length: list[int], stem: list[bool]) -> None:
        self.length = length
        self.stem = stem

    def span(self, text: str, end: int, kid: int) -> tuple[int, int]:
        """The readable span of the key that ended at `end` (matching-form index)."""
        start = end - self.length[kid] + 1  # readable index of the word's first character
        if self.stem[kid]:
            return start, _TAIL(text, end).end()
        return start, end - 1

    def words(self, field: Field, kids: frozenset, bits: int) -> list[str]:
        """The words of the first hit of each key in `kids`, and of regex hits, in text order.

        Sorting by (start, stop) orders them as sorting by (start, word) would:
        words that start at the same place are prefixes of each other.
        """
        first = field.first
        if first is None:
            first = field.first = {kid: end for end, kid in reversed(field.hits)}  # the earliest hit wins
        places, text = field.places, field.text
        found = []
        for kid in kids.intersection(first):  # the few keys found, not the rule's many
            place = places.get(kid)
            if place is None:
                end = first[kid]
                place = places[kid] = (end - self.length[kid] + 1,
                                       _TAIL(text, end).end() if self.stem[kid] else end - 1)
            found.append(place)
        if field.spans:
            found.extend((start, stop) for start, stop, span_bits in field.spans if span_bits & bits)
        if len(found) > 1:
            found.sort()
        return [text[start:stop] for start, stop in found]

    def evidence(self, tag: str, rule, title: Field, abstract: Field) -> TagMatch:
        """The rule's own words first, then its context words; each once, at most six."""
        words: list[str] = []
        where = []
        any_bits, context_bits = rule.any_bits, rule.context_bits
        for name, field, allowed in (("title", title, rule.in_title), ("abstract", abstract, rule.in_abstract)):
            mask = field.mask
            if not allowed or not mask & (any_bits | context_bits):
                continue
            if mask & any_bits:
                where.append(name)
                words += self.words(field, rule.any_kids, any_bits)
            if mask & context_bits:
                words += self.words(field, rule.context_kids, context_bits)
        if len(words) > 1:
            unique: dict[str, str] = {}
            for word in words:
                unique.setdefault(word.lower(), word)
                if len(unique) == MAX_EVIDENCE_WORDS:
                    break
            words = list(unique.values())
        return TagMatch(tag, rule.name, "+".join(where), "; ".join(words))
