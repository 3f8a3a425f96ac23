"""Retries and server-requested waits, against a real local server that records arrival times."""

from __future__ import annotations

import math
import random
import time
from email.utils import formatdate

import pytest
from hypothesis import given, strategies as st
from werkzeug import Request, Response

from pipeline.http import FetchError, HttpSettings, fetch
from pipeline.http.waits import backoff, parse_ratelimit, parse_retry_after, server_wait


@pytest.fixture
def settings(tmp_path):
    return HttpSettings(allow_private=("localhost",), min_interval={}, retries=3, backoff_base=0.2,
                        max_wait=10.0, state_dir=tmp_path)


def scripted(httpserver, responses):
    """Serve `responses` in turn (the last one repeats); return the arrival times."""
    arrivals: list[float] = []

    def handler(request: Request) -> Response:
        arrivals.append(time.time())
        make = responses[min(len(arrivals), len(responses)) - 1]
        return make()

    httpserver.expect_request("/").respond_with_handler(handler)
    return arrivals


def ok() -> Response:
    return Response("fine", status=200)


def test_429_with_retry_after_seconds_waits_that_long_then_succeeds(httpserver, settings):
    arrivals = scripted(httpserver, [lambda: Response("slow down", 429, {"Retry-After": "2"}), ok])
    result = fetch(httpserver.url_for("/"), settings)
    assert result.body == b"fine" and len(arrivals) == 2
    assert arrivals[1] - arrivals[0] >= 2.0


def test_retry_after_as_http_date_is_honoured(httpserver, settings):
    def too_many() -> Response:
        return Response("", 429, {"Retry-After": formatdate(int(time.time()) + 2, usegmt=True)})

    arrivals = scripted(httpserver, [too_many, ok])
    fetch(httpserver.url_for("/"), settings)
    # The date has one-second resolution: the wait is at least 1 s after the first arrival.
    assert len(arrivals) == 2 and arrivals[1] - arrivals[0] >= 1.0


def test_hugging_face_ratelimit_header_is_honoured(httpserver, settings):
    limited = lambda: Response("", 429, {"RateLimit": '"api";r=0;t=1', "RateLimit-Policy": '"fixed window";q=500;w=300'})
    arrivals = scripted(httpserver, [limited, ok])
    fetch(httpserver.url_for("/"), settings)
    assert len(arrivals) == 2 and arrivals[1] - arrivals[0] >= 1.0


def test_retry_after_beyond_max_wait_fails_rate_limited_without_sleeping(httpserver, settings):
    arrivals = scripted(httpserver, [lambda: Response("", 429, {"Retry-After": "3600"})])
    url = httpserver.url_for("/")
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(url, settings)
    assert time.monotonic() - started < settings.max_wait
    error = caught.value
    assert error.rate_limited and error.retry_after == 3600 and error.status == 429
    assert str(error) == f"GET {url}: HTTP 429 Too Many Requests; asked to wait 3600 s, over max_wait 10 s"
    assert len(arrivals) == 1


def test_503_twice_then_200_succeeds_after_growing_backoff(httpserver, settings):
    arrivals = scripted(httpserver, [lambda: Response("", 503), lambda: Response("", 503), ok])
    assert fetch(httpserver.url_for("/"), settings).body == b"fine"
    assert len(arrivals) == 3
    # Equal jitter: retry n waits at least half of base * 2**n.
    assert arrivals[1] - arrivals[0] >= 0.1
    assert arrivals[2] - arrivals[1] >= 0.2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_until_retries_run_out(httpserver, tmp_path, status):
    settings = HttpSettings(allow_private=("localhost",), min_interval={}, retries=2,
                            backoff_base=0.01, state_dir=tmp_path)
    arrivals = scripted(httpserver, [lambda: Response("", status)])
    with pytest.raises(FetchError, match=rf"HTTP {status} .*\(after 3 attempts\)$") as caught:
        fetch(httpserver.url_for("/"), settings)
    assert caught.value.status == status and not caught.value.rate_limited
    assert len(arrivals) == 3


def test_429_that_never_clears_is_reported_as_rate_limited(httpserver, tmp_path):
    settings = HttpSettings(allow_private=("localhost",), min_interval={}, retries=1,
                            state_dir=tmp_path)
    arrivals = scripted(httpserver, [lambda: Response("", 429, {"Retry-After": "0"})])
    with pytest.raises(FetchError) as caught:
        fetch(httpserver.url_for("/"), settings)
    assert caught.value.rate_limited and caught.value.status == 429 and caught.value.retry_after == 0
    assert len(arrivals) == 2


def test_no_retries_means_one_request(httpserver, tmp_path):
    settings = HttpSettings(allow_private=("localhost",), min_interval={}, retries=0, state_dir=tmp_path)
    arrivals = scripted(httpserver, [lambda: Response("", 503), ok])
    with pytest.raises(FetchError, match=r"HTTP 503 Service Unavailable \(after 1 attempt\)$"):
        fetch(httpserver.url_for("/"), settings)
    assert len(arrivals) == 1


# Parsing the hints themselves.

NOW = 1_800_000_000.0


@pytest.mark.parametrize(("value", "seconds"), [
    ("7", 7.0), (" 120 ", 120.0), ("0", 0.0),
    (formatdate(NOW + 42, usegmt=True), 42.0),
    (formatdate(NOW - 42, usegmt=True), 0.0),  # a date in the past means now
    ("Sunday, 06-Nov-94 08:49:37 GMT", 0.0),  # obsolete RFC 850 form, long past
    ("-5", None), ("1.5", None), ("soon", None), ("", None), (None, None),
])
def test_retry_after_values(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"ratelimit": '"api";r=0;t=55'}, 55.0),
    ({"ratelimit": '"api";r=12;t=55'}, None),  # quota left: no reason to wait
    ({"ratelimit": '"api";r=0;t=55, "pages";r=0;t=120'}, 120.0),
    ({"ratelimit": "limit=100, remaining=0, reset=30"}, 30.0),
    ({"ratelimit-remaining": "0", "ratelimit-reset": "9"}, 9.0),
    ({"ratelimit": '"api";r=0'}, None),
    ({"ratelimit": "garbage;;=,=;t=x"}, None),
    ({}, None),
])
def test_ratelimit_header_forms(headers, seconds):
    assert parse_ratelimit(headers) == seconds


def test_the_longest_hint_wins():
    assert server_wait({"retry-after": "5", "ratelimit": '"api";r=0;t=50'}, now=NOW) == 50.0


@given(st.text(max_size=80), st.text(max_size=80), st.text(max_size=20), st.text(max_size=20))
def test_hint_parsing_never_raises_and_never_goes_negative(retry_after, ratelimit, remaining, reset):
    wait = server_wait({"retry-after": retry_after, "ratelimit": ratelimit,
                        "ratelimit-remaining": remaining, "ratelimit-reset": reset}, now=NOW)
    assert wait is None or (math.isfinite(wait) and wait >= 0)


@given(st.integers(min_value=0, max_value=200), st.floats(min_value=0, max_value=100),
       st.floats(min_value=0, max_value=1000), st.integers())
def test_backoff_is_jittered_within_half_to_full_capped_delay(attempt, base, cap, seed):
    delay = min(cap, base * 2 ** min(attempt, 30))
    wait = backoff(attempt, base, cap, random.Random(seed))
    assert delay / 2 <= wait <= delay
