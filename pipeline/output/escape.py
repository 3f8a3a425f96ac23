"""Escaping stored text for each output language.

The database keeps source text verbatim; making it harmless is the job of
whoever renders it. Links are allow-listed by scheme: a `javascript:` project
page must never become a clickable link.
"""

from __future__ import annotations

import re
from html import escape as html_escape
from urllib.parse import quote, urlsplit

SAFE_SCHEMES = ("http", "https")
# Characters XML 1.0 forbids even when escaped; one of them makes a whole feed unreadable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Control characters, escape sequences included, that would drive a terminal instead of being shown.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Emphasis, code and link syntax; text never starts a line, so list and heading marks are harmless.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~])")


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link, else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.netloc:
        return None
    return url


def html_text(value: object) -> str:
    return html_escape("" if value is None else str(value), quote=True)


def xml_text(value: object) -> str:
    """Text that XML can carry; the generator escapes `<`, `&` and quotes itself."""
    return _XML_INVALID.sub("", "" if value is None else str(value))


def markdown_text(value: object) -> str:
    """Text shown literally by Markdown renderers: markup escaped, and no `<` that could open raw HTML."""
    text = ("" if value is None else str(value)).replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_url(url: str | None) -> str | None:
    """A safe URL that cannot end a Markdown link early."""
    url = safe_url(url)
    return quote(url, safe=":/?#@!$&'*+,;=%-._~") if url else None


def markdown_link(text: object, url: str | None) -> str:
    target = markdown_url(url)
    return f"[{markdown_text(text)}]({target})" if target else markdown_text(text)


def html_link(text: object, url: str | None) -> str:
    target = safe_url(url)
    if target is None:
        return html_text(text)
    return f'<a href="{html_text(target)}" rel="noopener noreferrer">{html_text(text)}</a>'


def terminal_text(value: object) -> str:
    return _CONTROL.sub(" ", "" if value is None else str(value))
