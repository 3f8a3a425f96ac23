"""requests with a hand on every socket it opens.

Two guarantees need the socket itself, not just the request: the wall-clock
deadline (a timer shuts the socket down, which wakes a blocked read however
slowly the server drips headers or body) and the address check on the peer
actually connected to (which a resolver lying on the second lookup cannot
dodge). urllib3 opens sockets in `HTTPConnection._new_conn`; the connection
classes below report each new socket to the exchange in progress, found
through a context variable so that concurrent fetches in threads stay apart.
"""

from __future__ import annotations

import contextvars
import os
import socket
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from pipeline.http.safety import AddressPolicy, AddressRefused


class Exchange:
    """One HTTP exchange under a deadline: the sockets it opened, and whether time ran out."""

    def __init__(self, policy: AddressPolicy, deadline: float, proxied: bool = False) -> None:
        self.policy = policy
        self.proxied = proxied
        self.deadline = deadline
        self.expires_at = time.monotonic() + deadline
        self.expired = False
        self._sockets: list[tuple[HTTPConnection, socket.socket]] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(deadline, self._expire)
        self._timer.daemon = True

    def adopt(self, conn: HTTPConnection, sock: socket.socket) -> None:
        """Accept a freshly connected socket, or close it and refuse."""
        # Through the configured proxy the peer is the proxy: the target was checked by name before.
        if not (self.proxied and getattr(conn, "proxy", None) is not None):
            address = sock.getpeername()[0]
            if not self.policy.allows(conn.host, address):
                sock.close()
                raise AddressRefused(conn.host, address)
        with self._lock:
            self._sockets.append((conn, sock))
            expired = self.expired
        if expired:
            _shut(sock)

    def out_of_time(self) -> bool:
        return self.expired or time.monotonic() >= self.expires_at

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            pairs = list(self._sockets)
        for conn, raw in pairs:
            # After TLS wrapping the raw socket is detached; the wrapper is conn.sock.
            for candidate in (conn.sock, raw):
                if candidate is not None:
                    _shut(candidate)

    def __enter__(self) -> "Exchange":
        self._token = _CURRENT.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        _CURRENT.reset(self._token)


def _shut(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter unwraps TLS
    # state under the feet of the reading thread.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass


_CURRENT: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar(
    "paperfeed_http_exchange", default=None)


class _GuardedMixin:
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        exchange = _CURRENT.get()
        if exchange is not None:
            exchange.adopt(self, sock)  # type: ignore[arg-type]
        return sock


class _GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def new_session(user_agent: str) -> requests.Session:
    """A session whose sockets report to the current Exchange; no retries of its own.

    One session per exchange, closed with it: a keep-alive connection left
    in a pool would be a second connection to a host that allows one.
    """
    session = requests.Session()
    # Proxies are decided by client.proxies_for, never picked up from the environment on
    # the way; a CA bundle named there (a private CA) only adds trust, so it still counts.
    session.trust_env = False
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.headers["User-Agent"] = user_agent
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
