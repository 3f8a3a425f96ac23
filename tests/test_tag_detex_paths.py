"""The cheap roads through text preparation give exactly what the full clean-up gives.

`detex` and `matching_form` skip work when a text cannot need it (no backslash,
only escaped characters, lone line breaks, mostly-ASCII text). These tests
state the full, slow definition once and check the fast functions against it
on generated text built from the characters that matter: LaTeX markup, every
kind of whitespace, separators, and letters whose lower case is special.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.tagging.detex import _SEPARATORS, detex, matching_form

_SLOW_SEPARATORS = str.maketrans({ch: " " for ch in _SEPARATORS})


def full_detex(text: str) -> str:
    """Every LaTeX substitution whenever LaTeX might be present, then `split`/`join` whitespace."""
    if "\\" in text or "$" in text or "{" in text:
        text = re.sub(r"\\([&%_#$])", r"\1", text)
        text = re.sub(r"\\['\"`^~=.](?:\{([A-Za-z])\}|([A-Za-z]))", lambda m: m.group(1) or m.group(2), text)
        previous = None
        while previous != text:
            previous = text
            text = re.sub(r"\\[A-Za-z]+\*?\{([^{}]*)\}", r"\1", text)
        text = re.sub(r"\\[A-Za-z]+\*?|\\\\", " ", text)
        text = re.sub(r"[{}$]", "", text)
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or text[:1] == " " or text[-1:] == " ":
        text = " ".join(text.split())
    return text


def full_matching_form(readable: str) -> str:
    """Lower-case the whole text (one character at a time if that changes its length), map every separator."""
    folded = readable.lower()
    if len(folded) != len(readable):
        folded = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in readable)
    return " " + folded.translate(_SLOW_SEPARATORS) + " "


PIECES = st.sampled_from([
    "a", "B", "x ray", " ", "  ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\xa0", "\u2003", "\u2028",
    "$", "{", "}", "\\", "\\\\", "\\&", "\\%", "\\_", "\\$", "\\emph{", "\\textbf{MRI}", "\\'e", '\\"{o}', "&", "_",
    "é", "É", "İ", "ß", "ﬁ", "Σ", "ΑΣ", "'", ".", "-", "\u2013", "\u2019", "\u00b7", "×", "K", "1",
])
TEXTS = st.lists(PIECES, max_size=16).map("".join)


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_detex_equals_the_full_clean_up(text):
    assert detex(text) == full_detex(text)


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_matching_form_equals_the_full_fold(text):
    assert matching_form(text) == full_matching_form(text)


def test_every_character_with_a_lower_case_or_a_separator_role_folds_as_the_full_fold_would():
    special = [chr(code) for code in range(0x30000) if not 0xD800 <= code < 0xE000
               and (chr(code).lower() != chr(code) or chr(code) in _SEPARATORS or chr(code).isspace())]
    assert len(special) > 1400
    for ch in special:
        text = f"A{ch}'b"
        assert matching_form(text) == full_matching_form(text), hex(ord(ch))
