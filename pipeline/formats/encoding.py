"""Bytes as UTF-8 before anything sniffs or parses them.

Servers send UTF-8 with a byte-order mark, and some journal platforms UTF-16
feeds; the sniffers look for ASCII markers (`<rss`, `{"messages"`) at the
start and would not see them. A UTF-16 document is re-encoded as UTF-8 and
its XML declaration says so, so every parser downstream reads it as is.
"""

from __future__ import annotations

import codecs
import re

_DECLARED_ENCODING_RE = re.compile(rb"^(<\?xml[^>]*?encoding\s*=\s*[\"'])([\w.-]+)([\"'])", re.IGNORECASE)


def _utf16_codec(raw: bytes) -> str | None:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # No mark: an ASCII character followed (LE) or preceded (BE) by a zero byte.
    if len(raw) >= 4 and raw[0] != 0 and raw[1] == 0 and raw[3] == 0:
        return "utf-16-le"
    if len(raw) >= 4 and raw[0] == 0 and raw[2] == 0 and raw[1] != 0:
        return "utf-16-be"
    return None


def as_utf8(raw: bytes) -> bytes:
    """`raw` without a UTF-8 BOM, or UTF-16 re-encoded as UTF-8; other bytes unchanged."""
    raw = bytes(raw)
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):]
    codec = _utf16_codec(raw[:4])
    if codec is None:
        return raw
    try:
        text = raw.decode(codec).lstrip("\ufeff")
    except UnicodeDecodeError:
        return raw
    data = text.encode("utf-8")
    return _DECLARED_ENCODING_RE.sub(rb"\1utf-8\3", data, count=1)
