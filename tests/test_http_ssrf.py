"""The address check holds whatever the URL looks like, whichever proxy is set, and for whoever gave the URL.

Each case is a hand-made attack on a real local server (or a bare listening
socket, to see that not even a TCP handshake is made).
"""

from __future__ import annotations

import ipaddress
import socket
import socketserver
import threading
import time

import pytest
from werkzeug import Response

from pipeline.http import FetchError, HttpSettings, fetch
from pipeline.http.pacing import _read_state
from pipeline.http.safety import embedded_ipv4, is_public

HINT = "(list the host in [http] allow_private to allow it)"


def settings_for(tmp_path, **overrides) -> HttpSettings:
    values = {"allow_private": (), "min_interval": {}, "retries": 0, "state_dir": tmp_path, **overrides}
    return HttpSettings(**values)


@pytest.fixture
def listener():
    """A bare listening socket on loopback: any connection to it shows up in accept()."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def no_connection_was_made(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


@pytest.mark.parametrize("template", [
    "http://127.0.0.1:{port}\\@public.example/",    # urllib3 connects to 127.0.0.1, urlsplit sees public.example
    "http://public.example\\@127.0.0.1:{port}/",
    "http://127.0.0.1:{port}\\.public.example/",
    "http://a@127.0.0.1:{port}@public.example/",    # several @
    "http://127.0.0.1:{port}\t@public.example/",
    "http://127.0.0.1 :{port}/",
])
def test_ambiguous_authority_is_refused_before_any_connection(tmp_path, listener, template):
    url = template.format(port=listener.getsockname()[1])
    settings = settings_for(tmp_path, own_hosts=("public.example",))
    with pytest.raises(FetchError, match="refused$"):
        fetch(url, settings)
    assert no_connection_was_made(listener)


class RawRedirect(socketserver.ThreadingTCPServer):
    """A server that answers every request with a 302 to `location`, bytes as given (werkzeug would encode them)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, location: str):
        self.location = location.encode("latin-1")
        super().__init__(("127.0.0.1", 0), RawRedirectHandler)


class RawRedirectHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        self.wfile.write(b"HTTP/1.1 302 Found\r\nLocation: " + self.server.location +
                         b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.mark.parametrize("template", ["http://127.0.0.1:{port}\\@public.example/",
                                      "http://a@127.0.0.1:{port}@public.example/"])
def test_an_ambiguous_redirect_is_refused(tmp_path, listener, template):
    port = listener.getsockname()[1]
    with RawRedirect(template.format(port=port)) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with pytest.raises(FetchError, match=r"^GET \S+: redirect to URL with .* refused$"):
                fetch(url, settings_for(tmp_path, allow_private=("127.0.0.1",)))
        finally:
            server.shutdown()
    assert no_connection_was_made(listener)


@pytest.mark.parametrize(("address", "embedded"), [
    ("64:ff9b::7f00:1", "127.0.0.1"),         # NAT64 well-known prefix
    ("64:ff9b::a00:1", "10.0.0.1"),
    ("64:ff9b:1::a9fe:a9fe", "169.254.169.254"),  # NAT64 local-use prefix
    ("2002:7f00:1::", "127.0.0.1"),           # 6to4
    ("2002:c0a8:101::1", "192.168.1.1"),
    ("::127.0.0.1", "127.0.0.1"),             # IPv4-compatible
    ("::10.1.2.3", "10.1.2.3"),
    ("::ffff:169.254.169.254", "169.254.169.254"),
])
def test_ipv6_forms_embedding_a_private_ipv4_address_are_private(address, embedded):
    ip = ipaddress.ip_address(address)
    assert str(embedded_ipv4(ip)) == embedded
    assert not is_public(ip)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::8.8.8.8"])
def test_ipv6_forms_embedding_a_public_ipv4_address_stay_public(address):
    assert is_public(ipaddress.ip_address(address))


def test_embedded_loopback_refused_by_the_connection_check(tmp_path, monkeypatch):
    real = socket.getaddrinfo

    def nat64(host, port, *args, **kwargs):
        if host == "nat64.example.test":
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::7f00:1", port, 0, 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", nat64)
    url = "http://nat64.example.test:9/"
    with pytest.raises(FetchError) as caught:
        fetch(url, settings_for(tmp_path))
    assert str(caught.value) == f"GET {url}: private address 64:ff9b::7f00:1 refused {HINT}"


# -- the user's own URL ------------------------------------------------------------


def test_the_users_own_url_is_fetched_wherever_it_points(httpserver, tmp_path):
    httpserver.expect_request("/page").respond_with_response(Response("", 302, {"Location": "/moved"}))
    httpserver.expect_request("/moved").respond_with_data("mine")
    url = httpserver.url_for("/page")
    assert fetch(url, settings_for(tmp_path, own_hosts=("localhost",))).body == b"mine"


def test_a_redirect_off_the_users_host_into_private_space_is_refused(httpserver, tmp_path):
    httpserver.expect_request("/page").respond_with_response(
        Response("", 302, {"Location": f"http://127.0.0.1:{httpserver.port}/admin"}))
    httpserver.expect_request("/admin").respond_with_data("secret")
    url = httpserver.url_for("/page")
    with pytest.raises(FetchError) as caught:
        fetch(url, settings_for(tmp_path, own_hosts=("localhost",)))
    assert "redirect to private address" in str(caught.value) and str(caught.value).endswith(HINT)
    assert [r.path for r, _ in httpserver.log] == ["/page"]


def test_ingest_of_a_typed_loopback_url_works_without_allow_private(server, tmp_path, run_cli, config_dir):
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace('allow_private = ["127.0.0.1", "localhost"]',
                                                     "allow_private = []"))
    from conftest import HF_API

    server.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(),
                                                                 content_type="application/json")
    result = run_cli("ingest", server.url_for("/api/daily_papers"))
    assert result.exit_code == 0, result.output
    assert "4 entries parsed" in result.output


def test_a_configured_base_url_is_the_users_own(tmp_path, config_dir):
    from pipeline.config import load_config

    (config_dir / "sources.toml").write_text(
        '[[source]]\nname = "mirror"\nkind = "hf-daily"\nbase_url = "http://10.1.2.3:8080"\n'
        '[[source]]\nname = "feed"\nkind = "feed"\nurl = "http://intranet.example/feed.xml"\n')
    assert load_config(config_dir).http.own_hosts == ("10.1.2.3", "intranet.example")


# -- proxies -------------------------------------------------------------------------


def test_proxy_variables_in_the_environment_are_ignored_unless_trusted(httpserver, tmp_path, monkeypatch):
    """HTTP_PROXY used to carry a name that does not resolve here past every check."""
    proxy = httpserver
    proxy.expect_request("/secret").respond_with_data("internal answer")
    monkeypatch.setenv("HTTP_PROXY", proxy.url_for("/"))
    monkeypatch.setenv("http_proxy", proxy.url_for("/"))
    with pytest.raises(FetchError, match="host name could not be resolved"):
        fetch("http://internal.invalid/secret", settings_for(tmp_path))
    assert proxy.log == []
    with pytest.raises(FetchError, match="does not resolve here") as caught:
        fetch("http://internal.invalid/secret", settings_for(tmp_path, trust_env=True))
    assert str(caught.value).endswith(HINT) and proxy.log == []


def test_through_the_configured_proxy_the_target_is_still_checked(httpserver, tmp_path, listener):
    proxy = httpserver
    proxy.expect_request("/secret").respond_with_data("internal answer")
    settings = settings_for(tmp_path, proxy=proxy.url_for("/"))
    private = f"http://127.0.0.1:{listener.getsockname()[1]}/secret"
    with pytest.raises(FetchError) as caught:
        fetch(private, settings)
    assert str(caught.value) == f"GET {private}: private address 127.0.0.1 refused {HINT}"
    with pytest.raises(FetchError, match="does not resolve here"):
        fetch("http://internal.invalid/secret", settings)
    assert proxy.log == [] and no_connection_was_made(listener)
    allowed = settings_for(tmp_path, proxy=proxy.url_for("/"), allow_private=("internal.invalid",))
    assert fetch("http://internal.invalid/secret", allowed).body == b"internal answer"
    assert [r.url for r, _ in proxy.log] == ["http://internal.invalid/secret"]


def test_a_proxy_setting_that_is_not_a_url_is_refused():
    with pytest.raises(ValueError, match="http.proxy"):
        HttpSettings(proxy="127.0.0.1:3128")


# -- Retry-After --------------------------------------------------------------------


def test_a_huge_retry_after_is_persisted_no_longer_than_max_wait_and_cleared_by_a_success(server, tmp_path):
    server.expect_ordered_request("/").respond_with_response(Response("", 429, {"Retry-After": "999999999"}))
    server.expect_ordered_request("/").respond_with_data("ok")
    settings = settings_for(tmp_path, allow_private=("127.0.0.1",), min_interval={"127.0.0.1": 0.01}, max_wait=0.5)
    url = server.url_for("/")
    before = time.time()
    with pytest.raises(FetchError) as caught:
        fetch(url, settings)
    assert caught.value.rate_limited
    pace_file = tmp_path / "pace-127.0.0.1"
    with pace_file.open("rb") as handle:
        _, not_before = _read_state(handle.fileno())
    assert before < not_before <= time.time() + 0.5
    assert fetch(url, settings).body == b"ok"
    with pace_file.open("rb") as handle:
        assert _read_state(handle.fileno())[1] == 0.0


def test_a_pause_written_by_an_older_version_is_cut_to_max_wait(server, tmp_path):
    (tmp_path / "pace-127.0.0.1").write_text(f"0 {time.time() + 999999999:.6f}\n")
    settings = settings_for(tmp_path, allow_private=("127.0.0.1",), min_interval={"127.0.0.1": 0.01}, max_wait=0.3)
    with pytest.raises(FetchError, match="asked for a pause"):
        fetch(server.url_for("/"), settings)
    with (tmp_path / "pace-127.0.0.1").open("rb") as handle:
        assert _read_state(handle.fileno())[1] <= time.time() + 0.3
