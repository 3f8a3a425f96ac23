"""What every benchmark needs: the pipeline as the CLI builds it, rows for the table, timings.

Each benchmark module exposes `run(papers: int) -> list[dict]`; a row is one
figure with its value, unit, target, ratio to the floor (None when it has
none) and whether the target is met, so `bench/run.py` can print them all in
one table. A missed target's row says why in `why`.
"""

from __future__ import annotations

import dataclasses
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pipeline as pipeline_api  # noqa: E402
from pipeline.api import Feed  # noqa: E402
from pipeline.config import SourceConfig, load_config  # noqa: E402


def bench_config(state_dir: Path):
    """The shipped configuration, allowed to fetch from 127.0.0.1 without pacing or a size cap."""
    config = load_config(ROOT / "config")
    config.http = dataclasses.replace(config.http, allow_private=("127.0.0.1",), state_dir=state_dir,
                                      min_interval={**config.http.min_interval, "127.0.0.1": 0.0},
                                      max_bytes=1 << 30)
    return config


def feed(db_path: Path, *sources: SourceConfig) -> Feed:
    """The Feed a script would open (`pipeline.open`), on the bench configuration plus `sources`."""
    config = bench_config(db_path.parent)
    config.sources.update({source.name: source for source in sources})
    return pipeline_api.open(db_path, config)


def row(name: str, value: float, unit: str, target: str, ratio: float | None = None,
        ok: bool | None = None, note: str = "", why: str = "", rounds: str = "") -> dict[str, Any]:
    """One figure. `ratio` is to the floor (None when there is none); `ok` says whether the target is met;
    `rounds` is the figure's `min/median` over interleaved rounds (see `spread`)."""
    figure = {"name": name, "value": value, "unit": unit, "target": target, "ratio": ratio, "ok": ok, "note": note,
              "rounds": rounds}
    if why and ok is False:
        figure["why"] = why
    return figure


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def best_of(runs: int, work: Callable[[], Any]) -> float:
    return min(timed(work)[0] for _ in range(runs))


def interleaved(rounds: int, works: dict[str, Callable[[], Any]],
                before: Callable[[str], Any] | None = None) -> dict[str, list[float]]:
    """Seconds of each work over `rounds` rounds run A B A B ...: on a shared, noisy machine a
    burst of load then slows both sides of a ratio, not one. `before(name)` runs untimed first."""
    found: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(rounds):
        for name, work in works.items():
            if before:
                before(name)
            found[name].append(timed(work)[0])
    return found


def spread(seconds: list[float], scale: float = 1.0, digits: int = 2) -> str:
    """`min/median` of a list of timings, for the table: `0.61/0.74`."""
    return f"{min(seconds) * scale:.{digits}f}/{statistics.median(seconds) * scale:.{digits}f}"


def ratio_of(mine: list[float], floor: list[float]) -> float:
    """The figure's best time over the floor's best time (each side's least disturbed round)."""
    return round(min(mine) / min(floor), 2)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def serve_bodies(body_for: Callable[[str], tuple[bytes, str]]) -> ThreadingHTTPServer:
    """A quiet local HTTP server on 127.0.0.1 answering each GET path with `body_for(path)`
    (body, content type), in a background thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body, content_type = body_for(self.path)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
