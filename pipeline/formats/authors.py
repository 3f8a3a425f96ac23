"""Splitting the one-string author lists that feeds use into names.

A comma means different things per source: arXiv's `dc:creator` separates
names with ", " but also puts ", " inside parenthesised affiliations; bioRxiv's
RSS writes `Kukla, D., Crampton, A.` where every other comma is inside a name.
Splitting on every comma would invent authors called "D." or "MIT)".
"""

from __future__ import annotations

import re

from .feedtext import clean_text

# Initials as some publishers lower-case them too: "A.", "J.-P.", "a.", "Th.".
_INITIALS_RE = re.compile(r"^(?:[A-Za-z][a-z]?\.[ -]?){1,4}$")
_ANCHOR_RE = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_NOT_SHOWN_RE = re.compile(r"et al\.?\s*\(([0-9]+) additional authors? not shown\)", re.IGNORECASE)


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split on `separator` only outside parentheses and brackets."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _without_affiliation(name: str) -> str:
    # arXiv writes "First Last (Affil1, Affil2)"; names are compared across
    # sources, which never carry affiliations, so they are dropped.
    name = name.strip()
    if not name.endswith(")"):
        return name
    depth = 0
    for index in range(len(name) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(name[index], 0)
        if depth == 0:
            return name[:index].strip() or name
    return name


def split_arxiv_creators(text: str | None) -> tuple[str, ...]:
    """arXiv RSS/Atom `dc:creator`: "A B, C D (Univ X, Dept Y), E F"."""
    names = []
    for part in split_top_level(clean_text(text)):
        part = re.sub(r"^and\s+", "", part)
        name = _without_affiliation(part)
        if name:
            names.append(name)
    return tuple(names)


def split_legacy_creators(text: str | None) -> tuple[tuple[str, ...], int]:
    """Legacy arXiv RSS `dc:creator`, a list of `<a>` links.

    Returns the names and how many further authors arXiv left out ("et al.
    (909 additional authors not shown)"), so the caller can say the list is cut.
    """
    if not text:
        return (), 0
    hidden = _NOT_SHOWN_RE.search(text)
    hidden_count = int(hidden.group(1)) if hidden else 0
    anchors = [clean_text(re.sub(r"<[^>]*>", "", a)) for a in _ANCHOR_RE.findall(text)]
    names = tuple(a for a in anchors if a)
    if names:
        return names, hidden_count
    without_note = _NOT_SHOWN_RE.sub("", re.sub(r"<[^>]*>", "", text))
    return split_arxiv_creators(without_note), hidden_count


def split_surname_initials(text: str | None) -> tuple[str, ...]:
    """bioRxiv RSS: "Kukla, D., Crampton, A., Wood, D." -> ("Kukla, D.", ...).

    A part that looks like initials joins the surname before it; anything else
    (a consortium, a lone surname) stands alone.
    """
    parts = split_top_level(clean_text(text))
    names: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        if following is not None and _INITIALS_RE.match(following) and not _INITIALS_RE.match(part):
            names.append(f"{part}, {following}")
            index += 2
        else:
            names.append(part)
            index += 1
    return tuple(names)


def split_semicolons(text: str | None) -> tuple[str, ...]:
    """bioRxiv API: "Loconsole, M.; Xue, C." -> ("Loconsole, M.", "Xue, C.")."""
    return tuple(name for name in (p.strip() for p in clean_text(text).split(";")) if name)


def split_author_string(text: str | None) -> tuple[str, ...]:
    """Best reading of an author string of unknown origin (generic feeds)."""
    text = clean_text(re.sub(r"<[^>]*>", " ", text or ""))
    text = re.sub(r",?\s*et al\.?$", "", _NOT_SHOWN_RE.sub("", text).strip())
    if not text:
        return ()
    if ";" in text:
        return split_semicolons(text)
    parts = split_top_level(text)
    if len(parts) > 1 and any(_INITIALS_RE.match(p) for p in parts[1::2]):
        return split_surname_initials(text)
    names: list[str] = []
    for part in parts:
        names.extend(n.strip() for n in re.split(r"\s+and\s+|\s*&\s*", part) if n.strip())
    return tuple(_without_affiliation(re.sub(r"^and\s+", "", n)) for n in names)
