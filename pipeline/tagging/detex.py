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
_NON_ASCII_SEPARATORS = tuple(ch for ch in _SEPARATORS if ord(ch) >= 128)

# LaTeX clean-up, applied only to text that contains a backslash.
_ACCENT = re.compile(r"\\['\"`^~=.](?:\{([A-Za-z])\}|([A-Za-z]))")
_WRAPPER = re.compile(r"\\[A-Za-z]+\*?\{([^{}]*)\}")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|\\\\")
_ESCAPED = tuple("\\" + ch for ch in "&%_#$")
_ACCENTS = tuple("\\" + mark for mark in "'\"`^~=.")  # what _ACCENT needs


def detex(text: str) -> str:
    """Return `text` with LaTeX markup reduced to the words it shows.

    Escaped characters keep their character (`H\\&E` -> `H&E`), formatting
    commands keep their argument (`\\emph{x}` -> `x`), math delimiters and other
    commands are dropped (`$T_1$` -> `T_1`). Whitespace is collapsed either way.

    Every abstract of every retag passes through here, so the common cases
    take the cheap road: without a backslash no command can match and only
    braces and dollars go; line breaks that are not part of a run are
    replaced where they stand instead of splitting the text into words.
    """
    if "\\" in text:
        for escaped in _ESCAPED:  # H\&E -> H&E, one plain replace per escape
            if escaped in text:
                text = text.replace(escaped, escaped[1])
        if "\\" in text:  # more than escaped characters such as 10\% or H\&E
            if any(accent in text for accent in _ACCENTS):
                text = _ACCENT.sub(lambda m: m.group(1) or m.group(2), text)
            previous = None
            while previous != text and "{" in text:  # nested wrappers: \textbf{\emph{x}}
                previous = text
                text = _WRAPPER.sub(r"\1", text)
            text = _COMMAND.sub(" ", text)
        text = text.replace("$", "").replace("{", "").replace("}", "")
    elif "$" in text or "{" in text:
        text = text.replace("$", "").replace("{", "").replace("}", "")
    if "\n" in text or "\t" in text or "\r" in text or text[:1] == " " or text[-1:] == " " or "  " in text:
        return _collapse_whitespace(text)
    return text


def _collapse_whitespace(text: str) -> str:
    """`" ".join(text.split())`, without splitting when single line breaks are the only whitespace to fix."""
    if text.isascii():
        single = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")
        if ("  " not in single and single[:1] != " " and single[-1:] != " " and "\x0b" not in single
                and "\x0c" not in single and "\x1c" not in single and "\x1d" not in single
                and "\x1e" not in single and "\x1f" not in single):
            return single
    return " ".join(text.split())


def matching_form(readable: str) -> str:
    """Lower-case `readable`, turn separators into spaces and pad it with one space.

    The result has len(readable) + 2 characters and position i + 1 holds the
    matching form of readable[i].
    """
    if readable.isascii():
        return f" {readable.encode('ascii').translate(_ASCII_TABLE).decode('ascii')} "
    if "\u03a3" not in readable:  # no capital sigma, whose lower case depends on its neighbours
        # Fold the ASCII characters with the byte table (UTF-8 keeps them single
        # bytes), then lower-case the rest: a per-character dict lookup over the
        # whole text costs fifty times more.
        folded = readable.encode("utf-8").translate(_ASCII_TABLE).decode("utf-8").lower()
        if len(folded) == len(readable):
            for separator in _NON_ASCII_SEPARATORS:
                if separator in folded:
                    folded = folded.replace(separator, " ")
            return f" {folded} "
    folded = readable.lower()
    if len(folded) != len(readable):  # a few characters grow when lower-cased (e.g. "İ")
        folded = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in readable)
    return f" {folded.translate(_UNICODE_TABLE)} "


def term_matching_form(term: str) -> str:
    """The matching form of a rule term, without padding, spaces collapsed."""
    return " ".join(matching_form(term).split())
