"""`paperfeed status` and `paperfeed runs` over runs made by real ingests against a local HTTP server."""

from __future__ import annotations

import json
import sqlite3

from werkzeug import Response

from conftest import HF_API
from test_fetch_hf import add_source

DAY = "2024-10-25"


def only_local_sources(config_dir, httpserver, extra=""):
    """The test's source alone, so the shipped sources' (absent) runs do not matter."""
    (config_dir / "sources.toml").write_text("")
    add_source(config_dir, httpserver, extra=extra)


def execute(db_path, sql, params=()):
    with sqlite3.connect(db_path) as conn:
        conn.execute(sql, params)


def test_status_fails_after_a_failed_run_and_recovers_after_a_success(httpserver, run_cli, db_path, config_dir):
    state = {"down": True}

    def api(request):
        if state["down"]:
            return Response("upstream down", status=503)
        return Response(HF_API.read_bytes(), content_type="application/json")

    httpserver.expect_request("/api/daily_papers").respond_with_handler(api)
    httpserver.expect_request(f"/papers/date/{DAY}").respond_with_data("down too", status=503)
    only_local_sources(config_dir, httpserver)

    assert run_cli("status").exit_code == 0  # nothing has run yet: nothing to alert on
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 1
    failing = run_cli("status")
    assert failing.exit_code == 1
    assert "hf-local" in failing.output and "FAILING" in failing.output
    assert "latest run 1 failed" in failing.output and "503" in failing.output
    assert "some sources are failing, overdue or stale" in failing.stderr

    state["down"] = False
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    recovered = run_cli("status")
    assert recovered.exit_code == 0, recovered.output
    assert "last success" in recovered.output and "(run 2)" in recovered.output
    assert "last failure" in recovered.output and "(run 1)" in recovered.output


def test_status_flags_a_source_with_no_success_within_its_interval(httpserver, run_cli, db_path, config_dir):
    httpserver.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    only_local_sources(config_dir, httpserver, extra="expect_every_hours = 26")
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    assert run_cli("status").exit_code == 0
    # The same success, two days earlier: the source is now overdue.
    execute(db_path, "update runs set started_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-50 hours')")
    overdue = run_cli("status")
    assert overdue.exit_code == 1
    assert "overdue: last success" in overdue.output and "expected every 26 h" in overdue.output
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    assert run_cli("status").exit_code == 0


def test_status_marks_a_run_whose_process_died_as_interrupted_and_fails(httpserver, run_cli, db_path, config_dir):
    httpserver.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    only_local_sources(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    execute(db_path, "insert into runs (source, target, started_at, status, pid, hostname)"
            " values ('hf-local', 'x', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'running', ?, ?)",
            (int(dead.stdout), socket.gethostname()))
    result = run_cli("status")
    assert result.exit_code == 1 and "interrupted" in result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select status, error from runs where id = 2").fetchone() == (
            "interrupted", "process ended before the run finished")


def test_status_warns_on_a_volume_far_below_the_recent_median(httpserver, run_cli, db_path, config_dir):
    items = json.loads(HF_API.read_bytes())
    many = []
    for n in range(40):
        item = json.loads(json.dumps(items[n % 4]))
        item["paper"]["id"] = f"2410.{30000 + n}"
        many.append(item)
    body = {"items": many}
    httpserver.expect_request("/api/daily_papers").respond_with_handler(
        lambda request: Response(json.dumps(body["items"]), content_type="application/json"))
    only_local_sources(config_dir, httpserver)
    for day in ("2024-10-21", "2024-10-22", "2024-10-23", "2024-10-24"):
        assert run_cli("ingest", "hf-local", "--date", day).exit_code == 0
    assert "low volume" not in run_cli("status").output
    body["items"] = many[:3]
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    result = run_cli("status")
    assert "warning: low volume: latest ok run parsed 3 entries, recent median 40 over 4 runs" in result.output
    assert result.exit_code == 0  # a quiet day is possible: a warning, not a failure


def test_runs_filters_by_source_and_status_and_shows_http_status_bytes(httpserver, run_cli, db_path, config_dir):
    httpserver.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    only_local_sources(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", DAY).exit_code == 0
    assert run_cli("ingest", httpserver.url_for("/gone")).exit_code == 1
    everything = run_cli("runs").output.splitlines()
    assert len(everything) == 2
    ok_only = run_cli("runs", "--status", "ok").output.splitlines()
    assert len(ok_only) == 1 and "hf-local" in ok_only[0]
    assert f"http=200 bytes={len(HF_API.read_bytes())}" in ok_only[0] and "parsed=4 new=4" in ok_only[0]
    failed = run_cli("runs", "--source", "adhoc").output.splitlines()
    assert len(failed) == 1 and "failed" in failed[0] and "http=404" in failed[0] and "/gone" in failed[0]
    assert len(run_cli("runs", "--limit", "1").output.splitlines()) == 1


def test_a_source_that_cannot_run_is_a_failed_run_not_an_exception(run_cli, db_path, config_dir):
    (config_dir / "sources.toml").write_text('[[source]]\nname = "no-query"\nkind = "hf-search"\n')
    result = run_cli("ingest", "no-query")
    assert result.exit_code == 1 and "needs a query" in result.stderr
    assert "Traceback" not in result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select source, status from runs").fetchall() == [("no-query", "failed")]


def test_a_bad_expectation_in_sources_toml_is_one_line_naming_the_key(run_cli, config_dir):
    (config_dir / "sources.toml").write_text('[[source]]\nname = "x"\nkind = "hf-daily"\nexpect_entries = "mondays"\n')
    result = run_cli("status")
    assert result.exit_code == 2
    assert "sources.toml: source 'x': expect_entries = 'mondays'" in result.stderr
