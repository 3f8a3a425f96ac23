"""A search query in the field's words, turned into an FTS5 MATCH expression.

FTS5 reads `-`, `.`, `/` and `:` in a bare word as syntax, so `X-ray`, `U-Net`,
`COVID-19`, `T1-weighted`, `18F-FDG` or `PET/CT` fail before the index is even
consulted (`no such column: ray`). A tokenizer change (`tokenchars '-'`) would
not help: the query parser rejects the hyphen whatever the tokenizer, and a
token `x-ray` would stop matching the `X ray` and `Xray` spellings the field
also uses. So the index keeps `unicode61` and the query is rewritten instead:
a bare word with punctuation inside becomes `("X-ray" OR Xray)`, the phrase of
its parts (which the tokenizer also makes of `X-ray` and `X ray` in the text)
or its parts run together. Everything FTS5 already understands passes through
unchanged: "phrases", AND/OR/NOT, NEAR(...), prefix*, `title:`/`{title abstract}:`
column filters and parentheses. The rewrite is idempotent, so a rewritten
query typed back into a search box means the same thing.

Structural mistakes (an unclosed quote, a dangling AND, `-word` meant as
exclusion) are caught here, with a message saying what to write instead.
"""

from __future__ import annotations

import re

COLUMNS = ("title", "abstract", "authors")
OPERATORS = ("AND", "OR", "NOT")
_BAREWORD = re.compile(r"^[0-9A-Za-z_\u0080-\U0010ffff]+$")
_PARTS = re.compile(r"[0-9A-Za-z_\u0080-\U0010ffff]+")
HINT = 'write words, "exact phrases", AND / OR / NOT, prefix*, title:word'


class SearchSyntaxError(ValueError):
    """A full-text query that cannot be searched; the message is one line and says what to write instead."""


def to_fts5(query: str) -> str:
    """The FTS5 MATCH expression for a query typed by a person (see the module docstring)."""
    tokens = _lex(query)
    if not any(kind in ("word", "phrase", "near") for kind, _ in tokens):
        raise SearchSyntaxError(f"search query {query!r} has no words to search for ({HINT})")
    _check_structure(query, tokens)
    out: list[str] = []
    previous = None
    for kind, text in tokens:
        starts_operand = kind in ("word", "phrase", "near", "column", "open")
        if starts_operand and previous in ("word", "phrase", "near", "close"):
            # FTS5 allows implicit AND only between phrases; an explicit AND works next to groups too.
            out.append("AND")
        out.append(_word(text) if kind == "word" else text)
        previous = kind
    return " ".join(out).replace("( ", "(").replace(" )", ")").replace(": ", ":")


def _word(text: str) -> str:
    """A bare word as FTS5 can read it: itself, or the phrase of its parts OR its parts joined."""
    prefix = "*" if text.endswith("*") else ""
    core = text.rstrip("*")
    if _BAREWORD.match(core):
        return core + prefix
    parts = _PARTS.findall(core)
    if len(parts) == 1:
        return parts[0] + prefix
    phrase = '"' + " ".join(parts) + '"'
    return f'({phrase}{prefix} OR {"".join(parts)}{prefix})'


def _lex(query: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: word, phrase, near, column, open, close, operator."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char == '"':
            end = i + 1
            while True:
                end = query.find('"', end)
                if end < 0:
                    raise SearchSyntaxError(
                        f"search query {query!r}: a quote is not closed; close the phrase: {query}\"")
                if query[end + 1:end + 2] == '"':  # "" is a quote inside a phrase
                    end += 2
                    continue
                break
            text = query[i:end + 1]
            i = end + 1
            if query[i:i + 1] == "*":
                text, i = text + "*", i + 1
            tokens.append(("phrase", text))
        elif char in "()":
            tokens.append(("open" if char == "(" else "close", char))
            i += 1
        elif char == "{":
            end = query.find("}", i)
            if end < 0 or query[end + 1:end + 2] != ":":
                raise SearchSyntaxError(f"search query {query!r}: a column set is written {{title abstract}}:word")
            _check_columns(query, query[i + 1:end].split())
            tokens.append(("column", query[i:end + 2]))
            i = end + 2
        elif query.startswith("NEAR(", i):
            end = query.find(")", i)
            if end < 0:
                raise SearchSyntaxError(f"search query {query!r}: NEAR( is not closed; write NEAR(word1 word2, 10)")
            tokens.append(("near", query[i:end + 1]))
            i = end + 1
        else:
            match = re.compile(r'[^\s()"]+').match(query, i)
            text = match.group(0)
            i = match.end()
            column, colon, rest = text.partition(":")
            if colon and column.lower() in COLUMNS:
                tokens.append(("column", column.lower() + ":"))
                if rest:
                    tokens.append(("word", rest))
            elif colon and re.fullmatch(r"[A-Za-z_]+", column):
                raise SearchSyntaxError(
                    f"search query {query!r}: there is no column {column}; columns to search are"
                    f' {", ".join(COLUMNS)} (authors:ruiz), or quote it to search for the words: "{text}"')
            elif text in OPERATORS:
                tokens.append(("operator", text))
            elif text.startswith("-") and _PARTS.search(text):
                raise SearchSyntaxError(
                    f"search query {query!r}: {text} does not exclude a word here; write NOT {text.lstrip('-')} after"
                    " the words to keep (segmentation NOT video), or quote it to search for it")
            elif _PARTS.search(text):
                tokens.append(("word", text))
    return tokens


def _check_columns(query: str, names: list[str]) -> None:
    unknown = [name for name in names if name.lower() not in COLUMNS]
    if unknown or not names:
        raise SearchSyntaxError(f"search query {query!r}: columns to search are {', '.join(COLUMNS)}")


def _check_structure(query: str, tokens: list[tuple[str, str]]) -> None:
    """Operators need an operand on each side, columns one after, parentheses must pair up."""
    depth = 0
    expect_operand = True
    for kind, text in tokens:
        if kind == "operator":
            if expect_operand:
                raise SearchSyntaxError(
                    f"search query {query!r}: {text} needs a word on each side (a AND b, a OR b, a NOT b);"
                    f' to search for the word itself write "{text.lower()}"')
            expect_operand = True
        elif kind == "column" or kind == "open":
            depth += kind == "open"
            expect_operand = True
        elif kind == "close":
            if depth == 0 or expect_operand:
                raise SearchSyntaxError(f"search query {query!r}: a parenthesis closes nothing; write (a OR b) c")
            depth -= 1
        else:
            expect_operand = False
    if expect_operand:
        last = tokens[-1][1]
        raise SearchSyntaxError(f"search query {query!r}: nothing follows {last}; add a word after it or remove it")
    if depth:
        raise SearchSyntaxError(f"search query {query!r}: a parenthesis is not closed; write (a OR b) c")
