"""Bad responses served by a real local HTTP server: each is a failed run with one clear line, nothing written.

Each case is a hand-made corruption of the real samples (or a classic attack body)
and names what it exercises.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tracemalloc

import pytest

from conftest import HF_API, HF_HTML
from pipeline.model import ParseError
from pipeline.formats import parse_any
from test_fetch_hf import add_source

BILLION_LAUGHS_ENTITIES = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + ("" if i == 1 else str(i - 1)) + ";") * 10}">' for i in range(1, 10)
)
BILLION_LAUGHS_XML = (
    f'<?xml version="1.0"?><!DOCTYPE rss [{BILLION_LAUGHS_ENTITIES}]>'
    '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>'
).encode()
BILLION_LAUGHS_HTML = (
    f'<!DOCTYPE html [{BILLION_LAUGHS_ENTITIES}]><html><head><title>&lol9;</title></head><body>'
    '<div data-target="DailyPapers" data-props="{&quot;dailyPapers&quot;: [], &quot;x&quot;: &quot;&lol9;&quot;}"></div>'
    '<article><h3><a href="/papers/2401.00001">&lol9;</a></h3></article></body></html>'
).encode()

HTML = HF_HTML.read_bytes()
API = HF_API.read_bytes()

CASES = {
    # name: (body, content type, what the one-line error must say)
    "truncated-html": (HTML[: len(HTML) * 3 // 4], "text/html", "page ends before </html>"),
    "truncated-inside-hydration-json": (HTML[: len(HTML) // 3], "text/html", "page ends before </html>"),
    "error-page-with-200": (b"<!doctype html><html><head><title>503 Service Unavailable</title></head>"
                            b"<body><h1>Service Unavailable</h1></body></html>", "text/html", "unrecognised content"),
    "garbage-bytes": (bytes(range(256)) * 40, "application/octet-stream", "unrecognised content"),
    "empty-body": (b"", "application/json", "empty response"),
    "json-of-the-wrong-shape": (json.dumps([{"paper": {"title": "no id"}}]).encode(), "application/json",
                                "paper object without a text id"),
    "json-error-object": (b'{"error": "Invalid date"}', "application/json", "unrecognised content"),
    "json-in-latin-1": (API.decode("utf-8").replace("Zhang", "Zhäng").encode("latin-1"), "application/json",
                        "not valid JSON"),
    "truncated-json": (API[: len(API) // 2], "application/json", "not valid JSON"),
    "html-page-with-no-papers": (HTML.replace(b'data-target="DailyPapers"', b'data-target="Other"')
                                 .replace(b"<article", b"<section"), "text/html", "no DailyPapers data found"),
    "billion-laughs-xml": (BILLION_LAUGHS_XML, "application/rss+xml", "declares XML entities"),
    "billion-laughs-html": (BILLION_LAUGHS_HTML, "text/html", "hf-html listing with no entries"),
    "malformed-rss": (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x',
                      "application/rss+xml", "malformed feed with no complete entry"),
}


def rows(db_path, sql):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("name", CASES)
def test_bad_response_by_url_is_a_failed_run_with_one_line_and_nothing_written(name, httpserver, run_cli, db_path):
    body, content_type, expected = CASES[name]
    httpserver.expect_request(f"/{name}").respond_with_data(body, content_type=content_type)
    url = httpserver.url_for(f"/{name}")
    result = run_cli("ingest", url)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and url in lines[0] and expected in lines[0], lines
    (run,) = rows(db_path, "select status, http_status, bytes, error from runs")
    assert run[:3] == ("failed", 200, len(body) or None)
    assert expected in run[3] and "\n" not in run[3]
    assert rows(db_path, "select count(*) from papers") == [(0,)]
    assert rows(db_path, "select count(*) from sightings") == [(0,)]


@pytest.mark.parametrize("name", ["error-page-with-200", "empty-body", "garbage-bytes", "truncated-html"])
def test_bad_api_and_page_for_a_configured_source_name_both_failures(name, httpserver, run_cli, db_path, config_dir):
    body, content_type, _ = CASES[name]
    httpserver.expect_request("/api/daily_papers").respond_with_data(body, content_type=content_type)
    httpserver.expect_request("/papers/date/2024-08-01").respond_with_data(body, content_type=content_type)
    add_source(config_dir, httpserver)
    result = run_cli("ingest", "hf-local", "--date", "2024-08-01")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert httpserver.url_for("/papers/date/2024-08-01") in line and "the API had failed too" in line
    assert rows(db_path, "select status from runs") == [("failed",)]
    assert rows(db_path, "select count(*) from papers") == [(0,)]


@pytest.mark.parametrize("body", [BILLION_LAUGHS_XML, BILLION_LAUGHS_HTML], ids=["xml", "html"])
def test_entities_are_never_expanded(body):
    # Expanded, &lol9; is 10**9 "lol"s: 3 GB. Unexpanded, parsing stays within a few MB.
    tracemalloc.start()
    try:
        try:
            listing = parse_any(body)
        except ParseError as exc:
            assert "lollol" not in str(exc)
        else:
            assert not any("lollol" in (entry.title or "") for entry in listing.entries)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


def test_a_wrong_declared_charset_does_not_garble_utf8_names(run_cli, db_path, tmp_path):
    page = tmp_path / "latin1-declared.html"
    page.write_bytes(HTML.replace(b'<meta charset="utf-8"', b'<meta charset="iso-8859-1"', 1))
    assert run_cli("ingest", str(page)).exit_code == 0
    (authors,) = rows(db_path, "select authors from papers where arxiv_id = '2407.21783'")[0]
    assert "Onur Çelebi" in json.loads(authors)


def test_a_missing_charset_reads_utf8(run_cli, db_path, tmp_path):
    page = tmp_path / "no-charset.html"
    page.write_bytes(re.sub(rb'<meta charset="utf-8"[^>]*>', b"", HTML, count=1))
    assert b"charset" not in page.read_bytes()[:4096].lower()
    assert run_cli("ingest", str(page)).exit_code == 0
    (authors,) = rows(db_path, "select authors from papers where arxiv_id = '2407.21783'")[0]
    assert "Francisco Guzmán" in json.loads(authors)
