"""Refusing what a feed URL must never make us do.

A feed or API we do not control can redirect us anywhere. Without a check, a
redirect to 127.0.0.1, 10.x or 169.254.169.254 turns the pipeline into a probe
of the machine's own network (SSRF). Addresses are checked twice: by resolving
the host before each hop (clear error, no connection made) and on the socket
actually connected (see transport.py), which also catches a name that
resolves differently the second time (DNS rebinding). Through a proxy the
socket's peer is the proxy, so the target's name must resolve here to an
allowed address; one that does not is refused rather than waved through.

The URL is read exactly as urllib3 will read it when connecting, and a URL
that another parser would read differently (a backslash in the authority,
several `@`) is refused: a check on one reading and a connection on another
is how `http://127.0.0.1:1\\@public.test/` used to slip past.

A URL the user gave (typed, or a configured `url`/`base_url`) is theirs to
fetch wherever it points: its host is trusted for that fetch, and so are
redirects that stay on it. Everything else, a redirect from elsewhere or an
address a feed supplied, must be public or listed in `allow_private`.

Content-type sanity lives here too: the commonest silent failure of a scraper
is parsing an HTML error page served with status 200 as if it were data.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from pipeline.http.settings import HttpSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """A host resolved or connected to an address the settings do not allow.

    Deliberately not an OSError, so urllib3 and requests let it through
    unwrapped instead of turning it into a retryable connection error.
    """

    def __init__(self, host: str, address: str, why: str = "private address") -> None:
        super().__init__(f"{why} {address} refused (host {host})")
        self.host = host
        self.address = address
        self.why = why


class UnresolvedThroughProxy(AddressRefused):
    """A proxied target whose name does not resolve here, so its address cannot be checked."""

    def __init__(self, host: str) -> None:
        super().__init__(host, host, "host")


# NAT64 (RFC 6052 well-known and RFC 8215 local-use prefixes) carries an IPv4 address in its last 32 bits.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, IPv4-compatible), or None.

    Each of these forms reaches the IPv4 host it embeds, so it must be judged
    as that host: `64:ff9b::7f00:1` is 127.0.0.1 to a NAT64 gateway.
    """
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if any(address in net for net in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    address = embedded_ipv4(address) or address
    return address.is_global and not address.is_multicast


class AddressPolicy:
    """Which hosts may be reached at which addresses.

    `trusted_host` is the host of a URL the user gave: any address is
    allowed for it (see the module docstring).
    """

    def __init__(self, settings: HttpSettings, trusted_host: str | None = None) -> None:
        self._names, self._networks = settings.private_allowances()
        self._trusted = _bare(trusted_host) if trusted_host else None

    def allows(self, host: str, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if is_public(ip) or _bare(host) == self._trusted:
            return True
        if _bare(host) in self._names:
            return True
        ip = embedded_ipv4(ip) or ip
        return any(ip.version == net.version and ip in net for net in self._networks)

    def check(self, host: str, port: int, proxied: bool = False) -> None:
        """Resolve `host` and refuse if any of its addresses is not allowed.

        A name that does not resolve passes when we connect to it ourselves:
        the connection then fails with a proper DNS error, and the socket
        check still applies. Through a proxy there is no socket check, so an
        unresolvable name is refused unless the user named it as allowed.
        """
        try:
            ip = ipaddress.ip_address(_bare(host).split("%", 1)[0])
        except ValueError:
            ip = None
        if ip is not None:
            if not self.allows(host, str(ip)):
                raise AddressRefused(host, str(ip))
            return
        try:
            infos = socket.getaddrinfo(_bare(host), port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            if proxied and _bare(host) not in self._names and _bare(host) != self._trusted:
                raise UnresolvedThroughProxy(host) from None
            return
        for *_, sockaddr in infos:
            address = str(sockaddr[0])
            if not self.allows(host, address):
                raise AddressRefused(host, address)


def _bare(host: str) -> str:
    return host.lower().rstrip(".").strip("[]")


@dataclass(frozen=True)
class Target:
    """Where a URL connects, as urllib3 (and so requests) reads it."""

    scheme: str
    host: str  # without IPv6 brackets, lower case
    port: int


# Control characters and spaces end or split an authority differently in different parsers.
_AMBIGUOUS = re.compile(r"[\\\x00-\x20\x7f]")


class BadURL(ValueError):
    """A URL refused before any connection; the message says why, in a few words."""


def parse_target(url: str) -> Target:
    """The scheme, host and port a connection to `url` will use; BadURL if refused.

    Read with urllib3's own parser, because that is what connects. A
    backslash, a control character or a space before the path, or a second
    `@`, makes parsers disagree about the host: such URLs are refused, as is
    any URL whose host the standard library reads differently.
    """
    authority_end = re.search(r"[/?#]", url.split("://", 1)[-1])
    head = url.split("://", 1)[-1][: authority_end.start() if authority_end else None]
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("http", "https"):
        raise BadURL(f"unsupported scheme {scheme or '(none)'!r} refused")
    if _AMBIGUOUS.search(head) or "\\" in url.split("?", 1)[0].split("#", 1)[0]:
        raise BadURL("URL with a backslash, space or control character refused")
    if head.count("@") > 1:
        raise BadURL("URL with an ambiguous authority (several @) refused")
    try:
        parsed = parse_url(url)
        port = parsed.port
    except (LocationParseError, ValueError):
        raise BadURL("URL that cannot be parsed refused") from None
    host = _bare(parsed.host or "")
    if not host:
        raise BadURL("URL without a host refused")
    try:
        stdlib_host = _bare(urlsplit(url).hostname or "")
        stdlib_host = stdlib_host if stdlib_host.isascii() else stdlib_host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        stdlib_host = ""
    if stdlib_host != host:
        raise BadURL("URL with an ambiguous authority refused")
    return Target(scheme, host, port or (443 if scheme == "https" else 80))


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


def host_of(url: str) -> str | None:
    """The host `url` connects to, or None for a URL `parse_target` refuses."""
    try:
        return parse_target(url).host
    except BadURL:
        return None
