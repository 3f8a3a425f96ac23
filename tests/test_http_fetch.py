"""fetch() against a real local server: identity, results, conditional GET, 4xx, content types, settings."""

from __future__ import annotations

import hashlib

import pytest
from werkzeug import Response

from pipeline.http import FetchError, FetchResult, HttpSettings, fetch
from pipeline.http.safety import content_mismatch

UA = "paperfeed-test/9.9 (+mailto:team@example.org)"


@pytest.fixture
def settings(tmp_path):
    return HttpSettings(user_agent=UA, allow_private=("localhost", "127.0.0.1"), min_interval={},
                        retries=2, backoff_base=0.01, state_dir=tmp_path)


def test_every_request_carries_the_configured_user_agent(httpserver, settings):
    httpserver.expect_request("/", headers={"User-Agent": UA}).respond_with_data("ok")
    fetch(httpserver.url_for("/"), settings)
    sent = httpserver.log[0][0].headers["User-Agent"]
    assert sent == UA


def test_result_carries_body_hash_lowercase_headers_and_validators(httpserver, settings):
    body = b'{"papers": []}'
    httpserver.expect_request("/api").respond_with_data(
        body, content_type="application/json",
        headers={"ETag": '"abc"', "Last-Modified": "Wed, 21 Oct 2026 07:28:00 GMT", "X-Thing": "1"})
    url = httpserver.url_for("/api")
    result = fetch(url, settings, accept="application/json")
    assert isinstance(result, FetchResult)
    assert (result.url, result.final_url, result.status, result.body) == (url, url, 200, body)
    assert result.headers["x-thing"] == "1" and "X-Thing" not in result.headers
    assert result.etag == '"abc"' and result.last_modified == "Wed, 21 Oct 2026 07:28:00 GMT"
    assert result.content_sha256 == hashlib.sha256(body).hexdigest()
    assert not result.not_modified and result.elapsed >= 0
    assert httpserver.log[0][0].headers["Accept"] == "application/json"


def test_conditional_get_sends_validators_and_a_304_is_not_modified(httpserver, settings):
    lm = "Wed, 21 Oct 2026 07:28:00 GMT"
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"', "If-Modified-Since": lm}) \
        .respond_with_response(Response(status=304, headers={"ETag": '"v1"'}))
    result = fetch(httpserver.url_for("/feed"), settings, etag='"v1"', last_modified=lm)
    assert result.not_modified and result.status == 304 and result.body == b""
    assert result.etag == '"v1"' and result.last_modified == lm  # kept for next time


def test_server_ignoring_validators_still_gives_the_body(httpserver, settings):
    httpserver.expect_request("/feed").respond_with_data("<rss/>", content_type="text/xml")
    result = fetch(httpserver.url_for("/feed"), settings, etag='"old"')
    assert not result.not_modified and result.body == b"<rss/>"
    assert httpserver.log[0][0].headers["If-None-Match"] == '"old"'


def test_unconditional_request_never_sends_validators(httpserver, settings):
    httpserver.expect_request("/").respond_with_data("x")
    fetch(httpserver.url_for("/"), settings)
    headers = httpserver.log[0][0].headers
    assert "If-None-Match" not in headers and "If-Modified-Since" not in headers


def test_a_304_nobody_asked_for_is_an_error(httpserver, settings):
    httpserver.expect_request("/").respond_with_response(Response(status=304))
    with pytest.raises(FetchError, match="HTTP 304 Not Modified"):
        fetch(httpserver.url_for("/"), settings)


def test_404_is_one_request_and_a_one_line_error(httpserver, settings):
    httpserver.expect_request("/missing").respond_with_data("no such page\nreally", status=404)
    url = httpserver.url_for("/missing")
    with pytest.raises(FetchError) as caught:
        fetch(url, settings)
    assert str(caught.value) == f"GET {url}: HTTP 404 Not Found"
    assert caught.value.status == 404 and caught.value.url == url
    assert not caught.value.rate_limited and caught.value.retry_after is None
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 410, 451])
def test_other_client_errors_are_not_retried(httpserver, settings, status):
    httpserver.expect_request("/").respond_with_data("", status=status)
    with pytest.raises(FetchError) as caught:
        fetch(httpserver.url_for("/"), settings)
    assert caught.value.status == status
    assert len(httpserver.log) == 1


def test_html_error_page_with_status_200_is_refused_when_json_expected(httpserver, settings):
    httpserver.expect_request("/api").respond_with_data(
        "<!DOCTYPE html><html><body>Service unavailable</body></html>", content_type="text/html")
    url = httpserver.url_for("/api")
    with pytest.raises(FetchError) as caught:
        fetch(url, settings, expect="json")
    assert str(caught.value) == f"GET {url}: expected JSON but got HTML (text/html): an error page?"
    assert caught.value.status == 200


def test_expect_asks_for_the_matching_type(httpserver, settings):
    httpserver.expect_request("/").respond_with_data("<rss/>", content_type="text/xml")
    fetch(httpserver.url_for("/"), settings, expect="xml")
    assert "application/rss+xml" in httpserver.log[0][0].headers["Accept"]


@pytest.mark.parametrize("content_type", ["text/xml", "application/octet-stream", "text/plain",
                                          "text/html; charset=utf-8", "application/rss+xml"])
def test_feeds_under_real_world_labels_are_accepted(httpserver, settings, content_type):
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    httpserver.expect_request("/rss").respond_with_data(feed, content_type=content_type)
    assert fetch(httpserver.url_for("/rss"), settings, expect="xml").body == feed


@pytest.mark.parametrize(("expect", "content_type", "body", "refused"), [
    ("json", "application/json", b'{"a": 1}', False),
    ("json", "text/plain", b"[1, 2]", False),
    ("json", "text/html", b"[1, 2]", False),  # mislabelled, but plainly JSON
    ("json", "application/json", b"<html><body>502 Bad Gateway</body></html>", True),
    ("json", "text/html", b"Service down", True),
    ("xml", "application/json", b'{"error": "x"}', True),
    ("xml", "application/atom+xml", b"<!doctype html><title>Oops</title>", True),
    ("xml", None, b"<!-- generated --><rss></rss>", False),
    ("html", "text/html", b"<!DOCTYPE html><html></html>", False),
    ("html", "application/xhtml+xml", b'<?xml version="1.0"?><html xmlns="x"/>', False),
    ("html", "application/json", b'{"a": 1}', True),
    (None, "application/json", b"<html>", False),
])
def test_content_type_sanity(expect, content_type, body, refused):
    assert (content_mismatch(expect, content_type, body) is not None) is refused


def test_unknown_expect_is_a_programming_error_caught_before_any_request(httpserver, settings):
    with pytest.raises(ValueError):
        fetch(httpserver.url_for("/"), settings, expect="pdf")
    assert len(httpserver.log) == 0


def test_unreachable_host_gives_one_line_error_after_retries(settings):
    url = "http://127.0.0.1:9/"  # discard port: nothing listens
    with pytest.raises(FetchError) as caught:
        fetch(url, settings)
    assert str(caught.value) == f"GET {url}: connection refused (after 3 attempts)"
    assert caught.value.status is None


def test_settings_from_a_toml_table(tmp_path):
    built = HttpSettings.from_mapping(
        {"user_agent": UA, "deadline": 60, "allow_private": ["10.0.0.0/8", "Intranet.Local"],
         "min_interval": {"Export.ArXiv.org": 3}}, state_dir=tmp_path)
    assert built.deadline == 60 and built.state_dir == tmp_path
    assert built.allow_private == ("10.0.0.0/8", "intranet.local")
    assert built.interval_for("export.arxiv.org") == 3.0 and built.interval_for("example.org") == 0.0
    assert HttpSettings.from_mapping({}).max_bytes == 20 * 1024 * 1024


def test_configured_pacing_adds_to_the_arxiv_defaults_instead_of_replacing_them():
    built = HttpSettings.from_mapping({"min_interval": {"export.arxiv.org": 5, "arxiv.org": 0,
                                                        "api.biorxiv.org": 1}})
    assert built.interval_for("export.arxiv.org") == 5.0
    assert built.interval_for("rss.arxiv.org") == 3.0
    assert built.interval_for("arxiv.org") == 0.0
    assert built.interval_for("api.biorxiv.org") == 1.0


def test_misspelt_setting_is_refused_not_ignored():
    with pytest.raises(ValueError, match="max_wiat"):
        HttpSettings.from_mapping({"max_wiat": 10})


@pytest.mark.parametrize("bad", [{"deadline": 0}, {"retries": -1}, {"user_agent": " "},
                                 {"min_interval": {"a": -1}}])
def test_nonsense_settings_are_refused(bad):
    with pytest.raises(ValueError):
        HttpSettings.from_mapping(bad)


def test_defaults_pace_arxiv_and_allow_no_private_hosts():
    defaults = HttpSettings()
    assert all(defaults.interval_for(h) == 3.0 for h in ("export.arxiv.org", "rss.arxiv.org", "arxiv.org"))
    assert defaults.allow_private == ()


def test_fetch_error_survives_pickling_with_its_attributes():
    import pickle

    error = FetchError("https://example.org/x", "HTTP 429 Too Many Requests", status=429,
                       rate_limited=True, retry_after=55.0)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) == "GET https://example.org/x: HTTP 429 Too Many Requests"
    assert (copy.url, copy.status, copy.rate_limited, copy.retry_after) == (error.url, 429, True, 55.0)


def test_error_reasons_with_line_breaks_are_folded_onto_one_line():
    assert "\n" not in str(FetchError("https://example.org/", "first line\nsecond\r\nthird"))
