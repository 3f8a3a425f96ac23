"""Fetching Hugging Face listings from a real HTTP server on 127.0.0.1 serving the saved samples."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest
from werkzeug import Response

from conftest import HF_API, HF_HTML


def table(db_path, name):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"select * from {name} order by 1, 2").fetchall()


def add_source(config_dir, server, name="hf-local", kind="hf-daily", extra=""):
    with (config_dir / "sources.toml").open("a") as handle:
        handle.write(f'\n[[source]]\nname = "{name}"\nkind = "{kind}"\nbase_url = "{server.url_for("")}"\n{extra}\n')


def test_ingest_by_url_gives_the_same_rows_as_the_file(httpserver, run_cli, db_path, tmp_path):
    httpserver.expect_request("/papers/date/2024-08-01").respond_with_data(HF_HTML.read_bytes(), content_type="text/html")
    httpserver.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    assert run_cli("ingest", httpserver.url_for("/papers/date/2024-08-01")).exit_code == 0
    assert run_cli("ingest", httpserver.url_for("/api/daily_papers")).exit_code == 0

    from click.testing import CliRunner

    from pipeline.cli import cli

    file_db = tmp_path / "from-files.db"
    for path in (HF_HTML, HF_API):
        assert CliRunner().invoke(cli, ["--db", str(file_db), "ingest", str(path)]).exit_code == 0
    assert table(db_path, "papers") == table(file_db, "papers")
    assert [row[:-1] for row in table(db_path, "sightings")] == [row[:-1] for row in table(file_db, "sightings")]


def test_daily_source_pages_through_the_api_until_a_short_page(httpserver, run_cli, db_path, config_dir):
    items = json.loads(HF_API.read_bytes())
    full_page = []
    for n in range(100):  # a full page of 100 real items, renumbered so each is its own paper
        item = json.loads(json.dumps(items[n % 4]))
        item["paper"]["id"] = f"2410.{20000 + n}"
        full_page.append(item)
    httpserver.expect_request("/api/daily_papers", query_string={"date": "2024-10-25", "p": "0", "limit": "100"}).respond_with_json(full_page)
    httpserver.expect_request("/api/daily_papers", query_string={"date": "2024-10-25", "p": "1", "limit": "100"}).respond_with_data(HF_API.read_bytes())
    add_source(config_dir, httpserver)
    result = run_cli("ingest", "hf-local", "--date", "2024-10-25")
    assert result.exit_code == 0, result.output
    assert "104 entries parsed, 104 papers new" in result.output
    ranks = [row[3] for row in table(db_path, "sightings")]
    assert sorted(ranks) == list(range(1, 105))
    assert {row[2] for row in table(db_path, "sightings")} == {"2024-10-25"}


def test_api_failure_falls_back_to_the_html_page(httpserver, run_cli, db_path, config_dir):
    httpserver.expect_request("/api/daily_papers").respond_with_data("upstream broke", status=500)
    httpserver.expect_request("/papers/date/2024-08-01").respond_with_data(HF_HTML.read_bytes(), content_type="text/html")
    add_source(config_dir, httpserver)
    result = run_cli("ingest", "hf-local", "--date", "2024-08-01")
    assert result.exit_code == 0, result.output
    assert "13 entries parsed, 13 papers new" in result.output
    (run,) = table(db_path, "runs")
    assert run[5] == "ok" and "HTTP 500" in run[13] and "HTML page" in run[13]


def test_html_page_showing_another_day_files_nothing_under_the_requested_day(httpserver, run_cli, db_path, config_dir):
    httpserver.expect_request("/api/daily_papers").respond_with_data("down", status=503)
    # Asked for Saturday 2024-08-03, Hugging Face shows the latest day with papers instead.
    httpserver.expect_request("/papers/date/2024-08-03").respond_with_data(HF_HTML.read_bytes(), content_type="text/html")
    add_source(config_dir, httpserver)
    result = run_cli("ingest", "hf-local", "--date", "2024-08-03")
    assert result.exit_code == 0, result.output
    assert ": empty" in result.output
    assert table(db_path, "papers") == []
    (run,) = table(db_path, "runs")
    assert run[5] == "empty" and "shows 2024-08-01, not 2024-08-03" in run[13]


def test_weekend_with_no_papers_is_an_empty_run_not_a_failure(httpserver, run_cli, db_path, config_dir):
    httpserver.expect_request("/api/daily_papers").respond_with_json([])
    add_source(config_dir, httpserver)
    result = run_cli("ingest", "hf-local", "--date", "2024-08-03")  # a Saturday
    assert result.exit_code == 0
    assert [row[5] for row in table(db_path, "runs")] == ["empty"]


def test_past_weekday_with_no_papers_is_a_failed_run(httpserver, run_cli, db_path, config_dir):
    httpserver.expect_request("/api/daily_papers").respond_with_json([])
    add_source(config_dir, httpserver)
    result = run_cli("ingest", "hf-local", "--date", "2024-08-01")  # a Thursday
    assert result.exit_code == 1
    assert "no papers listed for 2024-08-01, a past weekday" in result.stderr
    assert [row[5] for row in table(db_path, "runs")] == ["failed"]


def test_search_source_uses_the_api_and_falls_back_to_the_search_page(httpserver, run_cli, db_path, config_dir):
    search_page = (HF_HTML.parent / "edge" / "search_page_searchResults.html").read_bytes()
    httpserver.expect_request("/api/papers/search", query_string={"q": "brain mri"}).respond_with_data("nope", status=502)
    httpserver.expect_request("/papers", query_string={"q": "brain mri"}).respond_with_data(search_page, content_type="text/html")
    add_source(config_dir, httpserver, name="hf-brain", kind="hf-search", extra='query = "x"')
    result = run_cli("ingest", "hf-brain", "--query", "brain mri")
    assert result.exit_code == 0, result.output
    papers = [row[1] for row in table(db_path, "papers")]
    assert papers == ["2502.00001", "2502.00002"]
    sightings = table(db_path, "sightings")
    assert {row[1] for row in sightings} == {"hf-brain"}
    assert {row[2] for row in sightings} == {date.today().isoformat()}  # an undated listing is filed under the day it was read


def test_http_error_on_a_url_is_a_failed_run_naming_the_url(httpserver, run_cli, db_path):
    httpserver.expect_request("/missing").respond_with_data("not here", status=404)
    url = httpserver.url_for("/missing")
    result = run_cli("ingest", url)
    assert result.exit_code == 1
    assert url in result.stderr and "404" in result.stderr
    assert [(row[5], row[6]) for row in table(db_path, "runs")] == [("failed", 404)]
