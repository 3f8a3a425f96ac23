"""`paperfeed browse` on 127.0.0.1 for the browse tests, and headless Chromium pointed at it.

Chromium runs with a host-resolver rule that makes every host but 127.0.0.1 unresolvable and
writes a net log; `page_requests` reads back the requests the page itself made (initiated by the
served origin, or the navigation itself), leaving out Chromium's own background traffic.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-features=AutofillServerCommunication,Translate,OptimizationHints,MediaRouter",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return response.read().decode()


@contextmanager
def browse_server(db_path: Path):
    """`paperfeed --db DB browse --port N` until the block ends; yields (base URL, process)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--db", str(db_path), "browse", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get(base, "/-/versions.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("datasette did not start: " + proc.stdout.read().decode()[-2000:])
            time.sleep(0.2)
    try:
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=15)


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    pytest.skip("no Chromium on PATH (Debian: apt-get install chromium); the browser tests need one")


def run_chromium(url: str, profile: Path, *extra: str) -> tuple[str, list[dict]]:
    """(Chromium's stdout, the requests the page made) for `url`; `extra` says what to produce."""
    netlog = profile / "netlog.json"
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}", *extra, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    if done.returncode != 0:
        pytest.fail(f"chromium failed on {url}: {done.stderr[-1500:]}")
    return done.stdout, page_requests(netlog, url)


def rendered_dom(url: str, profile: Path) -> tuple[str, list[dict]]:
    return run_chromium(url, profile, "--dump-dom")


def page_requests(netlog: Path, navigated: str) -> list[dict]:
    data = json.loads(netlog.read_text())
    names = {number: name for name, number in data["constants"]["logEventTypes"].items()}
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(navigated))
    found = []
    for event in data["events"]:
        params = event.get("params") or {}
        if names.get(event["type"]) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        if params.get("initiator") == origin or params["url"].split("#")[0] == navigated:
            found.append({"url": params["url"], "host": urlsplit(params["url"]).hostname})
    return found


def screenshot(url: str, target: Path, profile: Path, width: int, height: int) -> None:
    run_chromium(url, profile, f"--window-size={width},{height}", f"--screenshot={target}")
