"""Conditional GET and unchanged bodies, against a real HTTP server that honours If-None-Match."""

from __future__ import annotations

import hashlib
import json
import sqlite3

from werkzeug import Request, Response

from conftest import HF_API, HF_HTML
from test_fetch_hf import add_source

DAY = "2024-10-25"


def rows(db_path, sql, params=()):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def everything(db_path):
    return [rows(db_path, f"select * from {name} order by 1, 2") for name in ("papers", "sightings", "paper_tags")]


class EtagServer:
    """Serves one body with an ETag; answers 304 when the request carries that ETag."""

    def __init__(self, body: bytes, content_type: str = "application/json"):
        self.body = body
        self.content_type = content_type
        self.requests: list[dict[str, str]] = []

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def __call__(self, request: Request) -> Response:
        self.requests.append(dict(request.headers))
        if request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers={"ETag": self.etag})
        return Response(self.body, content_type=self.content_type, headers={"ETag": self.etag})


def test_a_304_is_a_not_modified_run_with_nothing_parsed_or_written(httpserver, run_cli, db_path, config_dir):
    server = EtagServer(HF_API.read_bytes())
    httpserver.expect_request("/api/daily_papers").respond_with_handler(server)
    add_source(config_dir, httpserver)
    first = run_cli("ingest", "hf-local", "--date", DAY)
    assert first.exit_code == 0 and "4 papers new" in first.output
    assert "If-None-Match" not in server.requests[0]
    before = everything(db_path)

    second = run_cli("ingest", "hf-local", "--date", DAY)
    assert second.exit_code == 0, second.output
    assert server.requests[1]["If-None-Match"] == server.etag
    assert "not-modified" in second.output and "HTTP 304" in second.output
    assert everything(db_path) == before
    run = rows(db_path, "select status, http_status, entries_parsed, papers_new from runs where id = 2")
    assert run == [("not-modified", 304, 0, None)]
    cached = rows(db_path, "select etag, content_sha256 from http_cache")
    assert cached == [(server.etag, hashlib.sha256(HF_API.read_bytes()).hexdigest())]


def test_a_changed_body_is_fetched_parsed_and_stored_again(httpserver, run_cli, db_path, config_dir):
    server = EtagServer(HF_API.read_bytes())
    httpserver.expect_request("/api/daily_papers").respond_with_handler(server)
    add_source(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    items = json.loads(server.body)
    items[0]["paper"]["upvotes"] += 7
    server.body = json.dumps(items).encode()
    result = run_cli("ingest", "hf-local", "--date", DAY)
    assert result.exit_code == 0 and ": ok:" in result.output
    assert rows(db_path, "select status from runs order by id") == [("ok",), ("ok",)]
    assert rows(db_path, "select etag from http_cache") == [(server.etag,)]


def test_the_same_body_twice_without_validators_is_not_modified_and_rewrites_nothing(httpserver, run_cli, db_path, config_dir):
    # A server that ignores validators and sends no ETag: the body's hash is what says "unchanged".
    httpserver.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    add_source(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    before = everything(db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("create table writes (what text)")
        for table in ("papers", "sightings", "paper_tags"):
            for event in ("insert", "update", "delete"):
                conn.execute(f"create trigger {table}_{event} after {event} on {table}"
                             f" begin insert into writes values ('{event} {table}'); end")
    second = run_cli("ingest", "hf-local", "--date", DAY)
    assert second.exit_code == 0
    assert "body unchanged since the last stored run" in second.output
    assert rows(db_path, "select status, http_status, bytes, entries_parsed from runs where id = 2") == [
        ("not-modified", 200, len(HF_API.read_bytes()), 0)]
    assert rows(db_path, "select * from writes") == []
    assert everything(db_path) == before


def test_a_body_that_failed_to_parse_is_not_remembered(httpserver, run_cli, db_path, config_dir):
    # The API keeps sending the same broken answer while the HTML page carries the listing:
    # the broken answer must not make later runs "not modified" and hide the page's news.
    httpserver.expect_request("/api/daily_papers").respond_with_data(b'{"unexpected": true}', content_type="application/json")
    page = {"body": HF_HTML.read_bytes()}
    httpserver.expect_request("/papers/date/2024-08-01").respond_with_handler(
        lambda request: Response(page["body"], content_type="text/html"))
    add_source(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", "2024-08-01").exit_code == 0
    page["body"] = page["body"].replace(b"The Llama 3 Herd of Models", b"The Llama 3 Herd of Models (v2 title)")
    result = run_cli("ingest", "hf-local", "--date", "2024-08-01")
    assert result.exit_code == 0 and ": ok:" in result.output, result.output
    urls = [row[0] for row in rows(db_path, "select url from http_cache")]
    assert urls == [httpserver.url_for("/papers/date/2024-08-01")]


def test_a_failed_run_keeps_the_old_validators_so_the_next_run_fetches_in_full(httpserver, run_cli, db_path, config_dir):
    server = EtagServer(HF_API.read_bytes())
    httpserver.expect_request("/api/daily_papers").respond_with_handler(server)
    add_source(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    stored = rows(db_path, "select etag, content_sha256 from http_cache")
    server.body = b'[{"paper": {"id": 2410.1}}]'  # a new body the parser refuses
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 1
    assert rows(db_path, "select etag, content_sha256 from http_cache") == stored
