"""Redirects: followed by hand, bounded, http(s) only, never into private address space."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from werkzeug import Response

from pipeline.http import FetchError, HttpSettings, fetch
from pipeline.http.safety import is_public


ALLOW_HINT = " (list the host in [http] allow_private to allow it)"


def settings_for(tmp_path, allow_private=("localhost", "127.0.0.1"), **overrides) -> HttpSettings:
    return HttpSettings(allow_private=allow_private, min_interval={}, retries=0, state_dir=tmp_path,
                        **overrides)


def redirect(location: str, status: int = 302) -> Response:
    return Response("", status=status, headers={"Location": location})


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_followed_and_final_url_reported(httpserver, tmp_path, status):
    httpserver.expect_request("/old").respond_with_response(redirect("/new?x=1", status))
    httpserver.expect_request("/new").respond_with_data("moved here")
    url = httpserver.url_for("/old")
    result = fetch(url, settings_for(tmp_path))
    assert result.body == b"moved here" and result.url == url
    assert result.final_url == httpserver.url_for("/new?x=1")


def test_every_hop_carries_user_agent_and_validators(httpserver, tmp_path):
    httpserver.expect_request("/old").respond_with_response(redirect("/new"))
    httpserver.expect_request("/new").respond_with_response(Response(status=304))
    result = fetch(httpserver.url_for("/old"), settings_for(tmp_path, user_agent="ua-x"), etag='"e"')
    assert result.not_modified and result.final_url == httpserver.url_for("/new")
    assert [r.headers["User-Agent"] for r, _ in httpserver.log] == ["ua-x", "ua-x"]
    assert httpserver.log[1][0].headers["If-None-Match"] == '"e"'


def test_redirect_chain_longer_than_the_limit_is_refused(httpserver, tmp_path):
    httpserver.expect_request("/loop").respond_with_response(redirect("/loop"))
    url = httpserver.url_for("/loop")
    with pytest.raises(FetchError) as caught:
        fetch(url, settings_for(tmp_path, max_redirects=3))
    assert str(caught.value) == f"GET {url}: more than 3 redirects"
    assert len(httpserver.log) == 4  # the first request and three redirects


@pytest.mark.parametrize(("location", "scheme"), [("file:///etc/passwd", "file"), ("ftp://localhost/x", "ftp"),
                                                  ("gopher://localhost:70/", "gopher")])
def test_redirect_to_a_non_http_scheme_is_refused(httpserver, tmp_path, location, scheme):
    httpserver.expect_request("/").respond_with_response(redirect(location))
    url = httpserver.url_for("/")
    with pytest.raises(FetchError) as caught:
        fetch(url, settings_for(tmp_path))
    assert str(caught.value) == f"GET {url}: redirect to unsupported scheme '{scheme}' refused"


def test_redirect_to_127_0_0_1_from_a_host_not_allow_listed_for_it_is_refused(httpserver, tmp_path):
    # "localhost" is allowed by name; the address 127.0.0.1 as a host is not.
    target = f"http://127.0.0.1:{httpserver.port}/admin"
    httpserver.expect_request("/start").respond_with_response(redirect(target))
    httpserver.expect_request("/admin").respond_with_data("secret")
    url = f"http://localhost:{httpserver.port}/start"
    with pytest.raises(FetchError) as caught:
        fetch(url, settings_for(tmp_path, allow_private=("localhost",)))
    assert str(caught.value) == f"GET {url}: redirect to private address 127.0.0.1 refused{ALLOW_HINT}"
    assert [r.path for r, _ in httpserver.log] == ["/start"]  # /admin never reached


def test_private_host_outside_the_allow_list_is_refused_before_connecting(httpserver, tmp_path):
    httpserver.expect_request("/").respond_with_data("x")
    url = f"http://127.0.0.1:{httpserver.port}/"
    with pytest.raises(FetchError) as caught:
        fetch(url, settings_for(tmp_path, allow_private=()))
    assert str(caught.value) == f"GET {url}: private address 127.0.0.1 refused{ALLOW_HINT}"
    assert caught.value.status is None and len(httpserver.log) == 0


def test_allow_list_takes_networks(httpserver, tmp_path):
    httpserver.expect_request("/").respond_with_data("intranet")
    url = f"http://localhost:{httpserver.port}/"
    assert fetch(url, settings_for(tmp_path, allow_private=("127.0.0.0/8", "::1"))).body == b"intranet"


def test_dns_rebinding_to_loopback_is_refused_on_the_connected_socket(httpserver, tmp_path, monkeypatch):
    """DNS rebinding: the check before connecting sees a public address, the socket a private one."""
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def rebinding_resolver(host, port, *args, **kwargs):
        if host != "feeds.example.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver)
    httpserver.expect_request("/").respond_with_data("internal")
    url = f"http://feeds.example.test:{httpserver.port}/"
    with pytest.raises(FetchError) as caught:
        fetch(url, settings_for(tmp_path, allow_private=("localhost",)))
    assert str(caught.value) == f"GET {url}: private address 127.0.0.1 refused{ALLOW_HINT}"
    assert len(httpserver.log) == 0


def test_decimal_ip_spelling_of_loopback_is_still_loopback(httpserver, tmp_path):
    url = f"http://2130706433:{httpserver.port}/"  # 127.0.0.1 as one number
    with pytest.raises(FetchError, match="private address 127.0.0.1 refused"):
        fetch(url, settings_for(tmp_path, allow_private=("localhost",)))
    assert len(httpserver.log) == 0


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1",
                                     "::ffff:127.0.0.1", "::ffff:10.0.0.1"])
def test_non_public_addresses(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "151.101.1.140", "2606:4700::6810:85e5"])
def test_public_addresses(address):
    assert is_public(ipaddress.ip_address(address))
