"""Does a long backfill stay flat in memory? Walks DAYS days of an arXiv-API-like local server
(PER_DAY papers a day, pages of PAGE) and prints the process's resident memory as it goes.

    python bench/backfill_memory.py [DAYS] [PER_DAY] [PAGE]
"""

from __future__ import annotations

import dataclasses
import resource
import sys
import tempfile
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pipeline.backfill import backfill  # noqa: E402
from pipeline.config import SourceConfig, load_config  # noqa: E402
from pipeline.ingest import Pipeline  # noqa: E402
from pipeline.store import Store  # noqa: E402
from sources_helpers import api_page  # noqa: E402

DAYS, PER_DAY, PAGE = (int(a) for a in (sys.argv[1:] + ["120", "300", "100"][len(sys.argv) - 1:])[:3])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        stamp = query["search_query"].split("submittedDate:[")[1][:8]
        start, size = int(query["start"]), int(query["max_results"])
        first = (date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:])) - date(2024, 1, 1)).days * PER_DAY
        serial = [first + i for i in range(PER_DAY)]  # distinct papers on every day
        ids = [f"{24 + n // 1_080_000:02d}{n // 90000 % 12 + 1:02d}.{n % 90000 + 10000:05d}" for n in serial]
        chunk = [(i, f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}T10:00:00Z") for i in ids[start : start + size]]
        body = api_page(chunk, len(ids), start, size)
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(ROOT / "config")
        config.http = dataclasses.replace(config.http, allow_private=("127.0.0.1",), state_dir=Path(folder))
        source = SourceConfig("bench", "arxiv-api", {"base_url": f"http://127.0.0.1:{server.server_port}",
                                                     "categories": ["eess.IV"], "page_size": PAGE})
        pipe = Pipeline(Store(Path(folder) / "bench.db"), config)
        since = date(2024, 1, 1)
        for n, result in enumerate(backfill(pipe, source, since, since + timedelta(days=DAYS - 1)), start=1):
            if n in (1, 10) or n % 30 == 0 or n == DAYS:
                papers = pipe.store.query("select count(*) as n from papers")[0]["n"]
                print(f"day {n:4d}: {papers:6d} papers stored, peak RSS {rss_mb():6.1f} MB", flush=True)
    server.shutdown()


if __name__ == "__main__":
    main()
