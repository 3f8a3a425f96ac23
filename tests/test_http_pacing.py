"""Per-host pacing shared across processes: request spacing, one connection, shared pauses, dead holders."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.http import FetchError, HttpSettings, fetch

ROOT = Path(__file__).resolve().parent.parent

FETCHER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipeline.http import HttpSettings, fetch
    url, state_dir, interval, count = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    settings = HttpSettings(allow_private=("127.0.0.1",), min_interval={"127.0.0.1": interval},
                            state_dir=Path(state_dir), retries=0, max_wait=30)
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(count):
        fetch(url, settings)
""")

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from pipeline.http.pacing import host_turn
    with host_turn("127.0.0.1", 0.01, Path(sys.argv[1]), max_wait=1, lock_wait=1):
        print("held", flush=True)
        time.sleep(60)
""")


class Recorder:
    """A threaded server that notes when each request arrives and how many overlap."""

    def __init__(self, hold: float = 0.0) -> None:
        self.hold = hold
        self.arrivals: list[float] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self.server = HTTPServer(host="127.0.0.1", threaded=True)
        self.server.expect_request("/").respond_with_handler(self.handle)
        self.server.start()

    def handle(self, request: Request) -> Response:
        with self._lock:
            self.arrivals.append(time.time())
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        time.sleep(self.hold)
        with self._lock:
            self.active -= 1
        return Response("ok")

    def gaps(self) -> list[float]:
        times = sorted(self.arrivals)
        return [b - a for a, b in zip(times, times[1:])]


@pytest.fixture
def recorder():
    made: list[Recorder] = []

    def make(hold: float = 0.0) -> Recorder:
        made.append(Recorder(hold))
        return made[-1]

    yield make
    for rec in made:
        rec.server.clear()
        if rec.server.is_running():
            rec.server.stop()


def run_together(url: str, state_dir: Path, interval: float, count: int, processes: int = 2) -> None:
    """Start fetcher processes, let each import, then release them at once."""
    procs = [subprocess.Popen([sys.executable, "-c", FETCHER, url, str(state_dir), str(interval), str(count)],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(processes)]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            assert proc.wait(timeout=60) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def test_two_processes_never_start_requests_closer_than_the_interval(recorder, tmp_path):
    rec = recorder()
    started = time.time()
    run_together(rec.server.url_for("/"), tmp_path, interval=1.0, count=3)
    assert len(rec.arrivals) == 6
    # Measured from before either process started: a busy machine can delay when the server
    # notes one arrival (shrinking one gap), but can never make the k-th request arrive sooner
    # than k intervals after the start when the two processes share one pace.
    arrivals = sorted(rec.arrivals)
    assert all(t - started >= k * 0.99 for k, t in enumerate(arrivals)), rec.gaps()


def test_two_processes_never_hold_two_connections_to_a_paced_host(recorder, tmp_path):
    rec = recorder(hold=0.4)  # each response takes far longer than the interval
    run_together(rec.server.url_for("/"), tmp_path, interval=0.05, count=2)
    assert len(rec.arrivals) == 4
    assert rec.max_active == 1


def settings_for(tmp_path, **overrides) -> HttpSettings:
    values = dict(allow_private=("127.0.0.1",), min_interval={"127.0.0.1": 0.01}, retries=0,
                  state_dir=tmp_path)
    return HttpSettings(**{**values, **overrides})


def test_a_host_asking_for_a_pause_is_left_alone_by_the_next_fetch(recorder, tmp_path):
    rec = recorder()
    rec.server.clear_all_handlers()
    rec.server.expect_ordered_request("/").respond_with_response(Response("", 429, {"Retry-After": "1"}))
    rec.server.expect_ordered_request("/").respond_with_handler(rec.handle)
    first_sent = time.time()
    with pytest.raises(FetchError) as caught:
        fetch(rec.server.url_for("/"), settings_for(tmp_path))
    assert caught.value.rate_limited
    fetch(rec.server.url_for("/"), settings_for(tmp_path))  # a later run, same state directory
    assert rec.arrivals[0] - first_sent >= 1.0


def test_a_pause_longer_than_max_wait_fails_rate_limited_without_a_request(recorder, tmp_path):
    rec = recorder()
    rec.server.clear_all_handlers()
    rec.server.expect_request("/").respond_with_response(Response("", 503, {"Retry-After": "30"}))
    with pytest.raises(FetchError):
        fetch(rec.server.url_for("/"), settings_for(tmp_path, max_wait=60))
    with pytest.raises(FetchError) as caught:
        fetch(rec.server.url_for("/"), settings_for(tmp_path, max_wait=5))
    assert caught.value.rate_limited and caught.value.retry_after > 25
    assert "127.0.0.1 asked for a pause of" in str(caught.value)
    assert len(rec.server.log) == 1


def test_a_killed_holder_never_wedges_the_host(recorder, tmp_path):
    rec = recorder()
    url = rec.server.url_for("/")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FetchError, match="another process has held the connection to 127.0.0.1"):
            fetch(url, settings_for(tmp_path, max_wait=0.2, deadline=0.3))
        assert rec.arrivals == []
        holder.kill()  # SIGKILL: no chance to clean up
        holder.wait(timeout=10)
        assert fetch(url, settings_for(tmp_path, max_wait=0.2, deadline=0.3)).body == b"ok"
    finally:
        if holder.poll() is None:
            holder.kill()


def test_unpaced_hosts_leave_no_state_behind(recorder, tmp_path):
    rec = recorder()
    fetch(rec.server.url_for("/"), settings_for(tmp_path / "state", min_interval={}))
    assert not (tmp_path / "state").exists()


def test_unusable_state_directory_is_a_clear_error_not_an_unpaced_request(recorder, tmp_path):
    rec = recorder()
    not_a_dir = tmp_path / "state"
    not_a_dir.write_text("a file where the directory should be")
    with pytest.raises(FetchError, match="pacing state in .* unusable"):
        fetch(rec.server.url_for("/"), settings_for(not_a_dir))
    assert rec.arrivals == []
