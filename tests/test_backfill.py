"""`paperfeed backfill`: day by day through ordinary runs, skipping what is done, surviving SIGKILL, paced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import HF_API
from sources_helpers import ROOT, api_page, pace_host, rows, write_sources


class DatedServer:
    """A threaded 127.0.0.1 server that logs every request's arrival and can hold one request open."""

    def __init__(self, respond) -> None:
        self.respond = respond
        self.log: list[tuple[float, dict]] = []
        self.hold_at: int | None = None  # 1-based request number to hold until `release`
        self.release = threading.Event()
        self.held = threading.Event()
        self._lock = threading.Lock()
        self.server = HTTPServer(host="127.0.0.1", threaded=True)
        self.server.expect_request("/api/query").respond_with_handler(self.handle)
        self.server.expect_request("/api/daily_papers").respond_with_handler(self.handle)
        self.server.start()

    def handle(self, request: Request) -> Response:
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        with self._lock:
            self.log.append((time.time(), query))
            number = len(self.log)
        if number == self.hold_at:
            self.held.set()
            self.release.wait(20)
        return self.respond(query)

    def base(self) -> str:
        return self.server.url_for("").rstrip("/")

    def stop(self) -> None:
        self.release.set()
        self.server.clear()
        if self.server.is_running():
            self.server.stop()


@pytest.fixture
def dated():
    made: list[DatedServer] = []

    def make(respond) -> DatedServer:
        made.append(DatedServer(respond))
        return made[-1]

    yield make
    for server in made:
        server.stop()


def hf_daily(query: dict) -> Response:
    body = HF_API.read_bytes() if query["date"] == "2024-10-25" else b"[]"
    return Response(body, content_type="application/json")


def test_hf_daily_backfill_walks_days_and_skips_complete_ones(run_cli, db_path, config_dir, dated):
    server = dated(hf_daily)
    write_sources(config_dir, f'[[source]]\nname = "hf-daily"\nkind = "hf-daily"\nbase_url = "{server.base()}"\n')
    result = run_cli("backfill", "hf-daily", "--since", "2024-10-25", "--until", "2024-10-27")
    assert result.exit_code == 0, result.output
    assert [q["date"] for _, q in server.log] == ["2024-10-25", "2024-10-26", "2024-10-27"]
    assert "run 1 hf-daily 2024-10-25: ok: 4 entries parsed, 4 papers new" in result.output
    assert "3 days fetched, 0 already complete, 0 failed" in result.output
    assert rows(db_path, "select listing_date, status from runs order by id") == [
        ("2024-10-25", "ok"), ("2024-10-26", "empty"), ("2024-10-27", "empty")]
    # Everything is complete: a second backfill over a wider range fetches only the new day.
    again = run_cli("backfill", "hf-daily", "--since", "2024-10-25", "--until", "2024-10-28")
    assert "2024-10-26: already complete (run 2), skipped" in again.output
    assert [q["date"] for _, q in server.log[3:]] == ["2024-10-28"]
    # 2024-10-28 is a Monday without papers: a failed run, retried by the next backfill.
    assert again.exit_code == 1 and "0 days fetched, 3 already complete, 1 failed" in again.output
    third = run_cli("backfill", "hf-daily", "--since", "2024-10-25", "--until", "2024-10-28")
    assert [q["date"] for _, q in server.log[4:]] == ["2024-10-28"]
    forced = run_cli("backfill", "hf-daily", "--since", "2024-10-25", "--until", "2024-10-26", "--force")
    assert forced.exit_code == 0 and third.exit_code == 1
    assert [q["date"] for _, q in server.log[5:]] == ["2024-10-25", "2024-10-26"]
    assert rows(db_path, "select count(*), count(distinct id) from papers") == [(4, 4)]
    assert rows(db_path, "select count(*) from sightings") == [(4,)]


def test_backfill_refuses_sources_without_a_past(run_cli):
    result = run_cli("backfill", "hf-search", "--since", "2024-01-01", "--until", "2024-01-02")
    assert result.exit_code == 2
    assert "source 'hf-search' (kind hf-search) has no past to walk" in result.stderr
    assert run_cli("backfill", "hf-daily", "--since", "2024-01-05", "--until", "2024-01-01").exit_code == 2


# 2024-01-02 spans two pages of 2; 2024-01-03 has no submissions (an empty, complete day).
PAPERS = {
    "2024-01-01": ["2401.00011", "2401.00012"],
    "2024-01-02": ["2401.00021", "2401.00022", "2401.00023"],
    "2024-01-04": ["2401.00041"],
    "2024-01-05": ["2401.00051", "2401.00052"],
}


def arxiv_api(query: dict) -> Response:
    stamp = query["search_query"].split("submittedDate:[")[1][:8]
    day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
    start, size = int(query["start"]), int(query["max_results"])
    ids = PAPERS.get(day, [])
    chunk = [(i, f"{day}T10:00:00Z") for i in ids[start : start + size]]
    return Response(api_page(chunk, len(ids), start, size), content_type="application/atom+xml")


def page_of(query: dict) -> tuple[str, str]:
    return query["search_query"].split("submittedDate:[")[1][:8], query["start"]


def test_killed_backfill_resumes_without_refetching_and_stays_paced(db_path, config_dir, dated):
    server = dated(arxiv_api)
    server.hold_at = 3  # the third request (2024-01-02, second page) is in flight when the process dies
    write_sources(config_dir, f'[[source]]\nname = "arxiv-test"\nkind = "arxiv-api"\nbase_url = "{server.base()}"\n'
                              'categories = ["eess.IV"]\npage_size = 2\n')
    pace_host(config_dir, "127.0.0.1", 1.0)
    command = [sys.executable, "-m", "pipeline", "--db", str(db_path), "--config", str(config_dir),
               "backfill", "arxiv-test", "--since", "2024-01-01", "--until", "2024-01-05"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert server.held.wait(30), "the backfill never reached its third request"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    server.release.set()
    killed_at = len(server.log)
    done_before = rows(db_path, "select target from runs where status in ('ok', 'empty')")
    assert len(done_before) == 2  # 2024-01-01, and the first page of 2024-01-02
    assert rows(db_path, "select status from runs where status not in ('ok', 'empty')") == [("running",)]

    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "4 days fetched, 1 already complete, 0 failed" in second.stdout
    before = [page_of(q) for _, q in server.log[:killed_at]]
    after = [page_of(q) for _, q in server.log[killed_at:]]
    assert before == [("20240101", "0"), ("20240102", "0"), ("20240102", "2")]
    # Only the page that was in flight is asked for again; finished days and pages are not.
    assert after == [("20240102", "2"), ("20240103", "0"), ("20240104", "0"), ("20240105", "0")]
    assert rows(db_path, "select count(*), count(distinct id) from papers") == [(8, 8)]
    assert rows(db_path, "select count(*) from sightings") == [(8,)]
    assert rows(db_path, "select listing_date, status from runs where listing_date is not null order by listing_date") == [
        ("2024-01-01", "ok"), ("2024-01-02", "ok"), ("2024-01-03", "empty"), ("2024-01-04", "ok"), ("2024-01-05", "ok")]
    assert rows(db_path, "select count(*) from runs where status = 'interrupted'") == [(1,)]
    # Both processes together never asked the paced host twice within its interval.
    arrivals = sorted(t for t, _ in server.log)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert min(gaps) >= 0.95, gaps
