"""Reading untrusted XML with lxml: no entities expanded, no DTD or network fetched.

E-utilities and OAI-PMH answers carry a DOCTYPE naming a remote DTD; lxml
must never fetch it, nor expand an entity a hostile answer declares. A
document that is not well-formed is a ParseError naming the format, since a
cut-off answer must not pass for a short one.
"""

from __future__ import annotations

from lxml import etree

from pipeline.model import ParseError

from .encoding import as_utf8
from .feedtext import clean_text

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


def parse_xml(raw: bytes, what: str) -> etree._Element:
    """The root element of `raw`, or a one-line ParseError saying why not."""
    if not isinstance(raw, (bytes, bytearray)) or not bytes(raw).strip():
        raise ParseError(f"{what}: empty response body")
    if b"<!ENTITY" in bytes(raw[:65536]).upper():
        raise ParseError(f"{what}: declares XML entities (<!ENTITY>): refused")
    try:
        return etree.fromstring(as_utf8(raw), _PARSER)
    except etree.XMLSyntaxError as error:
        raise ParseError(f"{what}: not well-formed XML, cut off? ({clean_text(str(error))[:120]})") from None


def local(tag: object) -> str:
    """`{namespace}name` -> `name`; comments and other nodes give ''."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element, name: str | None = None) -> list:
    """Direct children with this local name (any name when None), whatever their
    namespace; none of a missing element."""
    if element is None:
        return []
    return [child for child in element if isinstance(child.tag, str) and (name is None or local(child.tag) == name)]


def child(element, name: str):
    found = children(element, name)
    return found[0] if found else None


def text_of(element) -> str:
    """All text inside an element (inline markup such as <i>, <sub>, MathML flattened), cleaned."""
    if element is None:
        return ""
    return clean_text("".join(element.itertext()))


def child_text(element, name: str) -> str:
    return text_of(child(element, name))
