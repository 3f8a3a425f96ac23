"""Text preparation for tagging: a readable de-TeXed copy and its matching form.

Abstracts arrive with LaTeX (`H\\&E`, `\\emph{MRI}`, `$T_1$`), line breaks and
odd spacing. Rules are written in plain words, so the tagger works on a
de-TeXed, whitespace-collapsed copy; evidence is quoted from that copy so a
person sees `H&E`, not `H\\&E`.

Matching needs a second form of the same text: lower-cased, with every
punctuation character turned into a space, padded with one space at each end.
In that form a word boundary is simply a space, so a term such as " ct " can
be found by the automaton without ever firing inside "predict", and "X-ray",
"X ray" and "PET/CT" need no special cases. The matching form has exactly the
length of the readable copy, so a position found in one is valid in the other.
"""

from __future__ import annotations

import re
import string

# Characters that separate words for matching. Letters and digits of any
# script are word characters; everything listed here becomes a space.
_SEPARATORS = (
    string.punctuation
    + string.whitespace
    + "\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # nbsp, hyphens, dashes, minus
    + "\u2018\u2019\u201c\u201d\u00b7\u2022\u2026\u00d7"  # quotes, dots, ellipsis, times
)

_ASCII_TABLE = bytearray(range(256))
for _ch in _SEPARATORS:
    if ord(_ch) < 128:
        _ASCII_TABLE[ord(_ch)] = 0x20
for _ch in string.ascii_uppercase:
    _ASCII_TABLE[ord(_ch)] = ord(_ch.lower())
_ASCII_TABLE = bytes(_ASCII_TABLE)

_UNICODE_TABLE = str.maketrans({ch: " " for ch in _SEPARATORS})

# LaTeX clean-up, applied only to text that contains a backslash, dollar or brace.
_ESCAPED_CHAR = re.compile(r"\\([&%_#$])")
_ACCENT = re.compile(r"\\['\"`^~=.](?:\{([A-Za-z])\}|([A-Za-z]))")
_WRAPPER = re.compile(r"\\[A-Za-z]+\*?\{([^{}]*)\}")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|\\\\")
_BRACES_AND_MATH = re.compile(r"[{}$]")


def detex(text: str) -> str:
    """Return `text` with LaTeX markup reduced to the words it shows.

    Escaped characters keep their character (`H\\&E` -> `H&E`), formatting
    commands keep their argument (`\\emph{x}` -> `x`), math delimiters and other
    commands are dropped (`$T_1$` -> `T_1`). Whitespace is collapsed either way.
    """
    if "\\" in text or "$" in text or "{" in text:
        text = _ESCAPED_CHAR.sub(r"\1", text)
        text = _ACCENT.sub(lambda m: m.group(1) or m.group(2), text)
        previous = None
        while previous != text:  # nested wrappers: \textbf{\emph{x}}
            previous = text
            text = _WRAPPER.sub(r"\1", text)
        text = _COMMAND.sub(" ", text)
        text = _BRACES_AND_MATH.sub("", text)
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or text[:1] == " " or text[-1:] == " ":
        text = " ".join(text.split())
    return text


def matching_form(readable: str) -> str:
    """Lower-case `readable`, turn separators into spaces and pad it with one space.

    The result has len(readable) + 2 characters and position i + 1 holds the
    matching form of readable[i].
    """
    if readable.isascii():
        return " " + readable.encode("ascii").translate(_ASCII_TABLE).decode("ascii") + " "
    folded = readable.lower()
    if len(folded) != len(readable):  # a few characters grow when lower-cased (e.g. "İ")
        folded = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in readable)
    return " " + folded.translate(_UNICODE_TABLE) + " "


def term_matching_form(term: str) -> str:
    """The matching form of a rule term, without padding, spaces collapsed."""
    return " ".join(matching_form(term).split())
