"""Helpers for the scheduler tests: a real local HF server, sources and settings, polling the database."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import HF_API


class HfServer:
    """A threaded server on 127.0.0.1 answering every daily-papers date with the real API sample.

    `hold` makes requests wait until `release()` (all of them, or only the
    first with `hold="first"`), which is how a test keeps a run mid-fetch.
    """

    def __init__(self):
        self.http = HTTPServer(host="127.0.0.1", threaded=True)
        self.http.expect_request("/api/daily_papers").respond_with_handler(self._daily)
        self.http.start()
        self.hold: str | None = None
        self.entered = threading.Event()
        self._gate = threading.Event()
        self._seen = 0
        self._lock = threading.Lock()

    @property
    def base(self) -> str:
        return self.http.url_for("").rstrip("/")

    def _daily(self, request):
        with self._lock:
            self._seen += 1
            wait = self.hold == "all" or (self.hold == "first" and self._seen == 1)
        if wait:
            self.entered.set()
            self._gate.wait(30)
        return Response(HF_API.read_bytes(), content_type="application/json")

    def release(self) -> None:
        self._gate.set()

    def dates(self) -> list[str]:
        """The `date` of every request answered so far, in order."""
        return [request.args.get("date") for request, _ in self.http.log]

    def stop(self) -> None:
        self.release()
        self.http.clear()
        self.http.stop()


def source(name: str, kind: str, **options) -> str:
    lines = ["[[source]]", f'name = "{name}"', f'kind = "{kind}"']
    lines += [f"{key} = {_toml(value)}" for key, value in options.items()]
    return "\n".join(lines) + "\n"


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


def write_sources(config_dir: Path, *tables: str) -> None:
    """Replace the shipped sources, so no test ever reaches huggingface.co."""
    (config_dir / "sources.toml").write_text("\n".join(tables))


def tune(config_dir: Path, **values) -> None:
    """Change `[schedule]` settings in the test copy of settings.toml."""
    path = config_dir / "settings.toml"
    text = path.read_text()
    for key, value in values.items():
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert count == 1, key
    path.write_text(text)


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    try:
        with sqlite3.connect(db_path, timeout=10) as conn:
            return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # not created or not migrated yet
        return []


def wait_for(predicate, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def one_skipped_run(db_path: Path) -> None:
    """A ledger that is not empty (status on one with no runs fails), whose only run says nothing of health."""
    from pipeline.store import Store
    from pipeline.store.schedule import record_run

    with Store(db_path) as store:
        record_run(store, "elsewhere", "elsewhere", "skipped", "another run of elsewhere is active")
