"""Turning rule terms into Aho-Corasick keys and term groups into bits.

Every term group of every rule gets one bit; every automaton key carries the
bits of the groups its term belongs to. Keys are in matching form (see
detex.py) with the word boundaries built in: " ct " for a whole word,
" endoscop" for a prefix term ("endoscop*"). Plurals of the last word get keys
of their own. A term with capitals in a case-sensitive rule ("CT") shares the
lower-case key but its bits are only granted after the spelling in the text
has been checked, so such keys carry the CASE_CHECK bit instead.
"""

from __future__ import annotations

import ahocorasick

from pipeline.tagging.detex import term_matching_form

CASE_CHECK = 1  # bit 0: this hit's spelling must be verified before its bits count
SEPARATORS_TO_SPACE = str.maketrans(
    {ch: " " for ch in "-_/\\()[]{},.;:!?\"'&+=<>|~`^%$#@*\u2010\u2011\u2013\u2014"}
)


class BitAllocator:
    """Hands out one fresh bit per term group."""

    def __init__(self) -> None:
        self.next = 1  # bit 0 is CASE_CHECK

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


def cased_form(term: str) -> str:
    return " ".join(term.translate(SEPARATORS_TO_SPACE).split())


class KeyTable:
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
        cased = cased_form(core) if case_sensitive and any(ch.isupper() for ch in core) else None
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
        masks = [bits | (CASE_CHECK if self.cased[kid] else 0) for kid, bits in enumerate(self.plain_bits)]
        automaton = ahocorasick.Automaton()
        for key, kid in self.kid_of.items():
            automaton.add_word(key, kid)
        automaton.make_automaton()
        return automaton, masks


