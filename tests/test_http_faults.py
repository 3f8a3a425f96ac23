"""Hostile and broken servers, played by a raw TCP server on 127.0.0.1.

Dripping, silent, disconnecting and oversized responses cannot be produced by
a well-behaved HTTP server, so each test scripts the bytes on the socket.
"""

from __future__ import annotations

import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from typing import Callable

import pytest

from pipeline.http import FetchError, HttpSettings, fetch

MiB = 1024 * 1024
CAP = 2 * MiB
BLOCK = b"x" * (64 * 1024)


class RawServer:
    """Accepts connections and hands each to `behave(conn, index)` on its own thread."""

    def __init__(self, behave: Callable[["RawServer", socket.socket, int], None],
                 tls: ssl.SSLContext | None = None) -> None:
        self.behave = behave
        self.tls = tls
        self.connections = 0
        self.sent = 0
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn, self.connections), daemon=True).start()

    def _serve(self, conn: socket.socket, index: int) -> None:
        with conn:
            try:
                if self.tls:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                read_request_head(conn)
                self.behave(self, conn, index)
            except OSError:
                pass  # the client hung up on us: that is the point of most tests

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.sent += len(data)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


def read_request_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture
def serve():
    servers: list[RawServer] = []

    def start(behave, tls=None):
        servers.append(RawServer(behave, tls))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def settings_for(tmp_path, **overrides) -> HttpSettings:
    values = dict(allow_private=("127.0.0.1",), min_interval={}, connect_timeout=2.0, read_timeout=5.0,
                  deadline=10.0, max_bytes=CAP, retries=1, backoff_base=0.01, state_dir=tmp_path)
    return HttpSettings(**{**values, **overrides})


def head(*lines: str) -> bytes:
    return ("\r\n".join(("HTTP/1.1 200 OK", *lines)) + "\r\n\r\n").encode()


# Time: a slow server must not hold a run past the deadline.

def drip_body(server, conn, index):
    server.send(conn, head("Content-Type: text/plain", "Content-Length: 1000"))
    while not server.stop.is_set():
        server.send(conn, b"x")
        time.sleep(0.3)


def drip_headers(server, conn, index):
    server.send(conn, b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not server.stop.is_set():
        server.send(conn, b"a")
        time.sleep(0.3)


@pytest.mark.parametrize("behave", [drip_body, drip_headers], ids=["body", "headers"])
def test_dripping_server_is_cut_off_at_the_deadline_and_not_retried(serve, tmp_path, behave):
    server = serve(behave)
    settings = settings_for(tmp_path, deadline=1.5, read_timeout=5.0)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(server.url(), settings)
    held = time.monotonic() - started
    assert str(caught.value) == f"GET {server.url()}: timed out after 1.5 s (deadline)"
    assert held < 1.5 + 1.0  # each byte arrives well within the read timeout; only the deadline stops it
    assert server.connections == 1


def silent(server, conn, index):
    while not server.stop.is_set() and conn.recv(1):
        pass


def test_silent_server_trips_the_read_timeout_and_is_retried(serve, tmp_path):
    server = serve(silent)
    with pytest.raises(FetchError) as caught:
        fetch(server.url(), settings_for(tmp_path, read_timeout=0.3, retries=1))
    assert str(caught.value) == f"GET {server.url()}: no data for 0.3 s (read timeout) (after 2 attempts)"
    assert server.connections == 2


def test_unanswered_connect_trips_the_connect_timeout_and_is_retried(tmp_path):
    """A listener whose accept queue is full: Linux drops further SYNs, as a blackholed host would."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/"
        with pytest.raises(FetchError) as caught:
            fetch(url, settings_for(tmp_path, connect_timeout=0.3, retries=1))
        assert str(caught.value) == f"GET {url}: connect timed out after 0.3 s (after 2 attempts)"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


# Connections that fail half-way are retried.

def hang_up_first(server, conn, index):
    if index == 1:
        return  # close without a word
    server.send(conn, head("Content-Length: 2") + b"ok")


def cut_body_first(server, conn, index):
    if index == 1:
        server.send(conn, head("Content-Length: 100") + b"only ten..")
        return
    server.send(conn, head("Content-Length: 2") + b"ok")


@pytest.mark.parametrize("behave", [hang_up_first, cut_body_first], ids=["no-response", "cut-body"])
def test_dropped_connection_is_retried_and_succeeds(serve, tmp_path, behave):
    server = serve(behave)
    assert fetch(server.url(), settings_for(tmp_path)).body == b"ok"
    assert server.connections == 2


# Size: refused at the cap, never held whole.

def fifty_mib_with_length(server, conn, index):
    server.send(conn, head(f"Content-Length: {50 * MiB}"))
    for _ in range(50 * MiB // len(BLOCK)):
        server.send(conn, BLOCK)


def fifty_mib_chunked(server, conn, index):
    server.send(conn, head("Transfer-Encoding: chunked"))
    frame = f"{len(BLOCK):x}\r\n".encode() + BLOCK + b"\r\n"
    for _ in range(50 * MiB // len(BLOCK)):
        server.send(conn, frame)
    server.send(conn, b"0\r\n\r\n")


BOMB = gzip.compress(b"\0" * (64 * MiB), compresslevel=9)


def gzip_bomb(server, conn, index):
    server.send(conn, head("Content-Encoding: gzip", f"Content-Length: {len(BOMB)}") + BOMB)


@pytest.mark.parametrize("behave", [fifty_mib_with_length, fifty_mib_chunked, gzip_bomb],
                         ids=["content-length", "chunked", "gzip-bomb"])
def test_oversized_body_is_refused_at_the_cap_with_bounded_memory(serve, tmp_path, behave):
    assert len(BOMB) < CAP  # the bomb is small on the wire; only decoding makes it big
    server = serve(behave)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetch(server.url(), settings_for(tmp_path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(caught.value) == f"GET {server.url()}: response larger than 2 MiB cap"
    assert peak < 3 * CAP
    assert server.connections == 1  # too large is final: no retry
    assert server.sent < 50 * MiB


def test_body_of_exactly_the_cap_is_accepted_and_one_byte_more_refused(serve, tmp_path):
    def chunked(size):
        def behave(server, conn, index):
            server.send(conn, head("Transfer-Encoding: chunked"))
            server.send(conn, f"{size:x}\r\n".encode() + b"y" * size + b"\r\n0\r\n\r\n")
        return behave

    exact = serve(chunked(CAP))
    assert len(fetch(exact.url(), settings_for(tmp_path)).body) == CAP
    over = serve(chunked(CAP + 1))
    with pytest.raises(FetchError, match="larger than 2 MiB cap"):
        fetch(over.url(), settings_for(tmp_path))


def test_compressed_body_within_the_cap_is_returned_decoded(serve, tmp_path):
    text = b'{"papers": ["a", "b"]}' * 1000
    packed = gzip.compress(text)

    def behave(server, conn, index):
        server.send(conn, head("Content-Type: application/json", "Content-Encoding: gzip",
                               f"Content-Length: {len(packed)}") + packed)

    server = serve(behave)
    result = fetch(server.url(), settings_for(tmp_path), expect="json")
    assert result.body == text


# TLS: verification is never skipped, and the deadline reaches through the TLS layer.

@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl command not available to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


def test_untrusted_certificate_fails_clearly_and_is_not_retried(serve, tmp_path, certificate):
    server = serve(lambda server, conn, index: server.send(conn, head("Content-Length: 2") + b"ok"),
                   tls=certificate[1])
    with pytest.raises(FetchError) as caught:
        fetch(server.url(), settings_for(tmp_path, retries=2))
    assert str(caught.value).startswith(f"GET {server.url()}: TLS certificate not trusted: self")
    assert server.connections == 1


def test_deadline_cuts_a_drip_inside_tls(serve, tmp_path, certificate, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    fine = serve(lambda server, conn, index: server.send(conn, head("Content-Length: 2") + b"ok"),
                 tls=certificate[1])
    assert fetch(fine.url(), settings_for(tmp_path)).body == b"ok"  # the certificate is trusted
    server = serve(drip_body, tls=certificate[1])
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 1\.5 s \(deadline\)$"):
        fetch(server.url(), settings_for(tmp_path, deadline=1.5))
    assert time.monotonic() - started < 1.5 + 1.0
