"""Refusing what a feed URL must never make us do.

A feed or API we do not control can redirect us anywhere. Without a check, a
redirect to 127.0.0.1, 10.x or 169.254.169.254 turns the pipeline into a probe
of the machine's own network (SSRF). Addresses are checked twice: by resolving
the host before each hop (clear error, no connection made) and on the socket
actually connected (see transport.py), which also catches a name that
resolves differently the second time (DNS rebinding).

Content-type sanity lives here too: the commonest silent failure of a scraper
is parsing an HTML error page served with status 200 as if it were data.
"""

from __future__ import annotations

import ipaddress
import socket

from pipeline.http.settings import HttpSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """A host resolved or connected to an address the settings do not allow.

    Deliberately not an OSError, so urllib3 and requests let it through
    unwrapped instead of turning it into a retryable connection error.
    """

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"private address {address} refused (host {host})")
        self.host = host
        self.address = address


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class AddressPolicy:
    """Which hosts may be reached at which addresses."""

    def __init__(self, settings: HttpSettings) -> None:
        self._names, self._networks = settings.private_allowances()

    def allows(self, host: str, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if is_public(ip):
            return True
        if host.lower().rstrip(".").strip("[]") in self._names:
            return True
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return any(ip.version == net.version and ip in net for net in self._networks)

    def check(self, host: str, port: int) -> None:
        """Resolve `host` and refuse if any of its addresses is not allowed.

        A name that does not resolve passes: the connection attempt will then
        fail with a proper DNS error, and the socket check still applies.
        """
        try:
            infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            return
        for *_, sockaddr in infos:
            address = str(sockaddr[0])
            if not self.allows(host, address):
                raise AddressRefused(host, address)


_JSON_TYPES = ("application/json", "text/json")
_XML_TYPES = ("application/xml", "text/xml")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _label(content_type: str | None) -> tuple[str, str]:
    """(media type, the kind it names: "json", "html", "xml" or "").

    text/plain, application/octet-stream and a missing header name no kind:
    real servers put them on anything, so they never reject.
    """
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in _HTML_TYPES:
        return mime, "html"
    if mime in _JSON_TYPES or mime.endswith("+json"):
        return mime, "json"
    if mime in _XML_TYPES or mime.endswith("+xml"):
        return mime, "xml"
    return mime, ""


def _sniff(body: bytes) -> str:
    """What the first bytes say the body is: "json", "html", "xml" or ""."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")):
        return "html" if b"<html" in head else "xml"
    return ""


def content_mismatch(expect: str | None, content_type: str | None, body: bytes) -> str | None:
    """Why this body is obviously not the `expect`ed kind, or None if plausible.

    Lenient by design: feeds arrive as text/xml, text/plain or
    application/octet-stream, and an RSS feed labelled text/html is still a
    feed. So the body's first bytes decide when they are recognisable, and
    the label only when they are not. XML passes where HTML is expected
    (XHTML). The parsers stay responsible for everything subtler.
    """
    if expect is None:
        return None
    if expect not in ("json", "html", "xml"):
        raise ValueError(f"expect must be 'json', 'html', 'xml' or None, not {expect!r}")
    mime, label = _label(content_type)
    kind = _sniff(body) or label
    if not kind or kind == expect or (expect == "html" and kind == "xml"):
        return None
    shown = mime or "no content type"
    hint = ": an error page?" if kind == "html" else ""
    return f"expected {expect.upper()} but got {kind.upper()} ({shown}){hint}"
