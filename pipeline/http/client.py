"""fetch(): the only way paperfeed asks the network for anything.

One GET, made polite (identifying User-Agent, per-host pacing shared across
processes, honoured Retry-After) and defensive (deadline, decoded size cap,
bounded and address-checked redirects, content-type sanity), that either
returns the body or raises FetchError with a one-line reason. Redirects are
followed here rather than by requests so that every hop gets the same checks
and the same pacing as the first.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import ssl
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import NameResolutionError, ReadTimeoutError

from pipeline.http.pacing import PacingTimeout, host_turn
from pipeline.http.result import FetchError, FetchResult, describe_size
from pipeline.http.safety import (
    AddressPolicy, AddressRefused, BadURL, Target, UnresolvedThroughProxy, content_mismatch, host_of, parse_target,
)  # fmt: skip
from pipeline.http.settings import HttpSettings
from pipeline.http.transport import Exchange, new_session
from pipeline.http.waits import backoff, server_wait

log = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_ACCEPT = {
    "json": "application/json",
    "xml": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
    "html": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
}


@dataclass
class _Reply:
    url: str
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes


class _Transient(Exception):
    """A failure worth another attempt (connection trouble, a read timeout)."""


def _attempts(retries_used: int) -> str:
    n = retries_used + 1
    return f"after {n} attempt{'s' if n != 1 else ''}"


def _should_retry_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def _causes(exc: BaseException):
    """Every exception wrapped inside `exc`: requests and urllib3 nest them deeply."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen or not isinstance(current, BaseException):
            continue
        seen.add(id(current))
        yield current
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        stack.extend(a for a in current.args if isinstance(a, BaseException))


def _classify(exc: Exception, settings: HttpSettings) -> tuple[str, bool]:
    """(one-line reason, worth retrying) for a transport failure."""
    chain = list(_causes(exc))

    def has(kind: type) -> BaseException | None:
        return next((c for c in chain if isinstance(c, kind)), None)

    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return "invalid URL", False
    if isinstance(exc, requests.exceptions.SSLError) or has(ssl.SSLError):
        cert = has(ssl.SSLCertVerificationError)
        if cert is not None:
            return f"TLS certificate not trusted: {getattr(cert, 'verify_message', '') or cert}", False
        return "TLS handshake failed", False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connect timed out after {settings.connect_timeout:g} s", True
    if isinstance(exc, requests.exceptions.ReadTimeout) or has(ReadTimeoutError):
        return f"no data for {settings.read_timeout:g} s (read timeout)", True
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return "body could not be decoded (bad Content-Encoding)", False
    if has(NameResolutionError):
        return "host name could not be resolved", True
    if has(ConnectionRefusedError):
        return "connection refused", True
    if has(ConnectionResetError):
        return "connection reset by server", True
    if has(http.client.RemoteDisconnected):
        return "server closed the connection without a response", True
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or has(http.client.IncompleteRead):
        return "response body cut short", True
    if isinstance(exc, (requests.exceptions.ConnectionError, OSError)):
        root = chain[-1]
        return f"connection failed ({type(root).__name__})", True
    return f"{type(exc).__name__}: {exc}", False


def _read_body(response: requests.Response, exchange: Exchange, settings: HttpSettings, url: str) -> bytes:
    """The decoded body, refused as soon as it passes the cap.

    A declared length over the cap (without compression) is refused before
    reading anything; otherwise bytes are counted after decoding as they
    arrive, so neither a chunked stream nor a gzip bomb is ever held whole.
    """
    too_large = f"response larger than {describe_size(settings.max_bytes)} cap"
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    declared = response.headers.get("content-length", "")
    if encoding in ("", "identity") and declared.isdigit() and int(declared) > settings.max_bytes:
        raise FetchError(url, too_large, status=response.status_code)
    body = bytearray()
    for chunk in response.iter_content(chunk_size=_CHUNK):
        if exchange.out_of_time():
            raise _deadline_error(url, settings)
        body += chunk
        if len(body) > settings.max_bytes:
            raise FetchError(url, too_large, status=response.status_code)
    return bytes(body)


def _deadline_error(url: str, settings: HttpSettings) -> FetchError:
    return FetchError(url, f"timed out after {settings.deadline:g} s (deadline)")


def proxies_for(target: str, settings: HttpSettings) -> dict[str, str]:
    """The proxy a request to `target` goes through, decided here and nowhere else.

    `[http] proxy` when set; else, only with `trust_env`, the environment's
    HTTP(S)_PROXY and NO_PROXY as requests reads them; else none.
    """
    if settings.proxy:
        return {"http": settings.proxy, "https": settings.proxy}
    if settings.trust_env:
        proxy = requests.utils.select_proxy(target, requests.utils.get_environ_proxies(target))
        return {urlsplit(target).scheme: proxy} if proxy else {}
    return {}


def _exchange(url: str, target: str, headers: dict[str, str], settings: HttpSettings,
              policy: AddressPolicy, proxies: dict[str, str]) -> _Reply:
    """One request/response with `target`, during our turn at its host.

    A pause the server asks for is written into the host's shared pacing
    state before the turn ends, so other processes honour it too, but never
    longer than `max_wait` (a Retry-After of 31 years must not close a host
    for good); an answer that is not a refusal clears it.
    """
    host = urlsplit(target).hostname or ""
    try:
        with host_turn(settings.pace_key(host), settings.interval_for(host), settings.state_dir, settings.max_wait,
                       lock_wait=settings.max_wait + settings.deadline) as turn:
            reply = _talk(url, target, headers, settings, policy, proxies)
            if _should_retry_status(reply.status):
                turn.defer(min(server_wait(reply.headers) or 0.0, settings.max_wait))
            else:
                turn.clear()
            return reply
    except PacingTimeout as exc:
        raise FetchError(url, str(exc), rate_limited=exc.rate_limited, retry_after=exc.wait) from exc
    except OSError as exc:  # _talk turns its own OSErrors into FetchError; these are pacing's
        raise FetchError(url, f"pacing state in {settings.state_dir} unusable: {exc.strerror or exc}") from exc


def _talk(url: str, target: str, headers: dict[str, str], settings: HttpSettings,
          policy: AddressPolicy, proxies: dict[str, str]) -> _Reply:
    """Send the request and read the reply under the deadline; connection closed on return."""
    with new_session(settings.user_agent) as session, Exchange(policy, settings.deadline, bool(proxies)) as exchange:
        try:
            response = session.get(target, headers=headers, allow_redirects=False, stream=True, proxies=proxies,
                                   timeout=(settings.connect_timeout, settings.read_timeout))
            try:
                ok = 200 <= response.status_code < 300
                body = _read_body(response, exchange, settings, url) if ok else b""
            finally:
                response.close()
            if exchange.expired:
                # The cut-off can look like a clean end (EOF ends the headers
                # or an unframed body), so never trust it.
                raise _deadline_error(url, settings)
        except (FetchError, AddressRefused):
            raise
        except Exception as exc:  # noqa: BLE001 - every transport failure becomes one line
            if exchange.out_of_time():
                raise _deadline_error(url, settings) from exc
            reason, transient = _classify(exc, settings)
            raise (_Transient(reason) if transient else FetchError(url, reason)) from exc
    status = response.status_code
    try:
        reason = HTTPStatus(status).phrase  # servers vary in case and wording
    except ValueError:
        reason = response.reason or ""
    return _Reply(target, status, reason, {k.lower(): v for k, v in response.headers.items()}, body)


def _check_target(url: str, target: str, hops: int, policy: AddressPolicy, proxied: bool) -> Target:
    """The target as it will be connected to, its addresses checked; FetchError if refused."""
    try:
        parsed = parse_target(target)
    except BadURL as exc:
        raise FetchError(url, f"{'redirect to ' if hops else ''}{exc}") from None
    policy.check(parsed.host, parsed.port, proxied=proxied)
    return parsed


def _refusal(exc: AddressRefused, hops: int) -> str:
    """The one line for a refused address, naming the setting that would allow it."""
    if isinstance(exc, UnresolvedThroughProxy):
        return (f"host {exc.host} does not resolve here, so its address cannot be checked before the proxy"
                " connects to it (list the host in [http] allow_private to allow it)")
    via = "redirect to " if hops else ""
    return f"{via}{exc.why} {exc.address} refused (list the host in [http] allow_private to allow it)"


def fetch(
    url: str,
    settings: HttpSettings,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
    expect: str | None = None,
) -> FetchResult:
    """GET `url` politely and defensively; return the body or raise FetchError.

    `etag` / `last_modified` are the validators kept from the last fetch of
    this URL; when the server agrees nothing changed, the result has
    `not_modified` set and an empty body. `expect` ("json", "xml", "html")
    rejects a body that is obviously something else, such as an HTML error
    page served with status 200 where JSON was due. `deadline` applies to
    each exchange; waits for pacing and retries are bounded by `max_wait`
    and `retries` instead.
    """
    content_mismatch(expect, None, b"")  # reject a bad `expect` before any request
    started = time.monotonic()
    headers = {"Accept": accept or _ACCEPT.get(expect or "", "*/*")}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    target, hops, retries_used = url, 0, 0
    origin = _own_host(url, settings)
    while True:
        try:
            proxies = proxies_for(target, settings)
            if origin is not None and host_of(target) != origin:
                origin = None  # once a redirect leaves the user's host, the usual rules apply for good
            # The user's host, and redirects that stay on it, may be anywhere.
            policy = AddressPolicy(settings, trusted_host=origin)
            _check_target(url, target, hops, policy, bool(proxies))
            reply = _exchange(url, target, headers, settings, policy, proxies)
        except AddressRefused as exc:
            raise FetchError(url, _refusal(exc, hops)) from None
        except _Transient as exc:
            if retries_used >= settings.retries:
                raise FetchError(url, f"{exc} ({_attempts(retries_used)})") from None
            wait = backoff(retries_used, settings.backoff_base, settings.max_wait)
            log.info("GET %s: %s; retrying in %.1f s", target, exc, wait)
            time.sleep(wait)
            retries_used += 1
            continue

        status = reply.status
        if status in _REDIRECTS and reply.headers.get("location"):
            hops += 1
            if hops > settings.max_redirects:
                raise FetchError(url, f"more than {settings.max_redirects} redirects", status=status)
            target = urljoin(target, reply.headers["location"].strip())
            continue
        if status == 304 and (etag or last_modified):
            return _result(url, reply, started, not_modified=True, etag=etag, last_modified=last_modified)
        if 200 <= status < 300:
            mismatch = content_mismatch(expect, reply.headers.get("content-type"), reply.body)
            if mismatch:
                raise FetchError(url, mismatch, status=status)
            return _result(url, reply, started, not_modified=False, etag=None, last_modified=None)

        described = f"HTTP {status} {reply.reason}".rstrip()
        if not _should_retry_status(status):
            raise FetchError(url, described, status=status)
        hint = server_wait(reply.headers)
        if hint is not None and hint > settings.max_wait:
            raise FetchError(url, f"{described}; asked to wait {hint:.0f} s, over max_wait "
                                  f"{settings.max_wait:g} s", status=status, rate_limited=True, retry_after=hint)
        if retries_used >= settings.retries:
            raise FetchError(url, f"{described} ({_attempts(retries_used)})", status=status,
                             rate_limited=status == 429, retry_after=hint)
        wait = hint if hint is not None else backoff(retries_used, settings.backoff_base, settings.max_wait)
        log.info("GET %s: %s; retrying in %.1f s", target, described, wait)
        time.sleep(wait)
        retries_used += 1


def _own_host(url: str, settings: HttpSettings) -> str | None:
    """`url`'s host when it is one the user gave (see HttpSettings.own_hosts), else None."""
    host = host_of(url)
    return host if host in settings.own_hosts else None


def _result(url: str, reply: _Reply, started: float, *, not_modified: bool,
            etag: str | None, last_modified: str | None) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=reply.url,
        status=reply.status,
        body=reply.body,
        headers=reply.headers,
        elapsed=time.monotonic() - started,
        not_modified=not_modified,
        etag=reply.headers.get("etag") or etag,
        last_modified=reply.headers.get("last-modified") or last_modified,
        content_sha256=hashlib.sha256(reply.body).hexdigest(),
    )
