"""Every table's rows after ingesting every fixture, so a refactoring can prove it changed no row.

Ingests each saved response in fixtures/ as a file, then runs one configured
source of every kind (daily, search, feeds, paged API days, backfill) against
a local server answering with fixtures, keeps raw responses and reparses them.
The dump lists every table's rows sorted, with what differs from run to run
(times, durations, pids, the server's port, response headers, the checkout's
path, the day an undated listing was read) normalised.

    python bench/rows_dump.py --save bench/rows-baseline.txt
    python bench/rows_dump.py --compare bench/rows-baseline.txt   # exit 1 and a diff on change
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from bench.harness import serve_bodies  # noqa: E402
from pipeline.cli import cli  # noqa: E402

FIXTURES = ROOT / "fixtures"
FIXTURE_FOLDERS = ("hf", "arxiv", "biorxiv", "feeds", "read")
VOLATILE = re.compile(r"(_at$|^duration_s$|^pid$|^elapsed|^headers$|^fetched_at$)")
ARXIV_PAGE = FIXTURES / "arxiv" / "physbiblio_api-query_au-gariazzo_2021-07-10_summaries-replaced.xml"
BIORXIV_PAGE = FIXTURES / "biorxiv" / "published-doc_api-biorxiv_details_2026-08-01_ABRIDGED.json"
HF_DAY = FIXTURES / "hf" / "hf_api_daily_papers_2024-10-25_deep-diver_first4.json"
ARXIV_RSS = FIXTURES / "arxiv" / "physbiblio_export-rss_hep-ex_2018-05-23.rdf.xml"
BIORXIV_RSS = FIXTURES / "biorxiv" / "miniflux_biorxiv-rss_bioengineering_2019-11-29.rdf.xml"
FEED = FIXTURES / "feeds" / "handmade_pubmed-search_rss20.xml"


def fixture_files() -> list[Path]:
    return sorted(p for folder in FIXTURE_FOLDERS for p in (FIXTURES / folder).rglob("*")
                  if p.is_file() and p.suffix != ".md")


def body_for(path: str) -> tuple[bytes, str]:
    """Fixtures by path; paged answers say the start they were asked for, as a real server does."""
    parts = urlsplit(path)
    query = parse_qs(parts.query)
    if parts.path == "/api/query":
        start = query.get("start", ["0"])[0]
        body = ARXIV_PAGE.read_bytes().replace(b'1.1/">0</opensearch:startIndex>', f'1.1/">{start}</opensearch:startIndex>'.encode())
        return body, "application/atom+xml"
    if parts.path.startswith("/details/"):
        cursor = parts.path.split("/")[-2]
        return BIORXIV_PAGE.read_bytes().replace(b'"cursor":0', f'"cursor":{cursor}'.encode()), "application/json"
    if parts.path.startswith("/api/daily_papers") or parts.path.startswith("/api/papers/search"):
        return HF_DAY.read_bytes(), "application/json"
    if parts.path.startswith("/rss/"):
        return ARXIV_RSS.read_bytes(), "application/rss+xml"
    if parts.path.startswith("/medrxiv_xml.php"):
        return BIORXIV_RSS.read_bytes(), "application/rss+xml"
    if parts.path == "/feed":
        return FEED.read_bytes(), "application/rss+xml"
    return b"not found", "text/plain"


def write_config(folder: Path, base: str) -> Path:
    config = folder / "config"
    shutil.copytree(ROOT / "config", config)
    settings = config / "settings.toml"
    text = settings.read_text().replace("allow_private = []", 'allow_private = ["127.0.0.1"]')
    text = text.replace("keep_raw = false", "keep_raw = true")
    settings.write_text(text + '\n[http.min_interval]\n"127.0.0.1" = 0.0\n' if "[http.min_interval]" not in text
                        else text.replace("[http.min_interval]\n", '[http.min_interval]\n"127.0.0.1" = 0.0\n'))
    (config / "sources.toml").write_text(f"""
[[source]]
name = "day"
kind = "hf-daily"
base_url = "{base}"

[[source]]
name = "search"
kind = "hf-search"
base_url = "{base}"
query = "medical imaging"

[[source]]
name = "rss"
kind = "arxiv-rss"
base_url = "{base}"
categories = ["hep-ex"]

[[source]]
name = "api"
kind = "arxiv-api"
base_url = "{base}"
categories = ["hep-ex"]
page_size = 10

[[source]]
name = "preprints"
kind = "biorxiv"
base_url = "{base}"
server = "medrxiv"

[[source]]
name = "subject"
kind = "biorxiv"
server = "medrxiv"
subject = "Radiology_and_Imaging"
rss_base_url = "{base}"

[[source]]
name = "toc"
kind = "feed"
url = "{base}/feed"
""")
    return config


def build(folder: Path) -> Path:
    """A database holding every fixture, ingested the ways paperfeed ingests."""
    db = folder / "papers.db"
    server = serve_bodies(body_for)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    config = write_config(folder, base)
    runner = CliRunner()

    def run(*args: str) -> None:
        runner.invoke(cli, ["--db", str(db), "--config", str(config), *args])

    try:
        for path in fixture_files():
            run("ingest", str(path))
        run("ingest", "day", "--date", "2024-10-25")
        run("ingest", "search")
        run("ingest", "rss")
        run("ingest", "api", "--date", "2021-07-08")
        run("ingest", "preprints", "--date", "2026-08-01")
        run("ingest", "subject")
        run("ingest", "toc")
        run("backfill", "api", "--since", "2021-07-09", "--until", "2021-07-10")
        run("backfill", "preprints", "--since", "2026-08-02", "--until", "2026-08-02")
        run("reparse")
        run("ingest", f"{base}/feed")
    finally:
        server.shutdown()
    return db


def dump(db: Path) -> str:
    port = re.compile(r"127\.0\.0\.1:\d+")
    lines = []
    today = date.today().isoformat()
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '%_fts%' ORDER BY name")]
    for table in tables:
        cursor = conn.execute(f'SELECT * FROM "{table}"')
        columns = [d[0] for d in cursor.description]
        rows = []
        for values in cursor:
            shown = {}
            for column, value in zip(columns, values):
                if isinstance(value, bytes):
                    value = f"<{len(value)} bytes>"
                if VOLATILE.search(column) and value is not None:
                    value = "<volatile>"
                if isinstance(value, str):
                    value = port.sub("127.0.0.1:PORT", value).replace(str(ROOT), "<root>")
                    # An undated listing (a search, a feed) is filed under the day it was read.
                    value = "<today>" if value == today else value
                shown[column] = value
            rows.append(json.dumps(shown, sort_keys=True, ensure_ascii=False))
        lines.append(f"## {table} ({len(rows)} rows)")
        lines.extend(sorted(rows))
    conn.close()
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path)
    action.add_argument("--compare", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("PAPERFEED_SQLITE_WAL_CHECK", "off")
    with tempfile.TemporaryDirectory() as folder:
        text = dump(build(Path(folder)))
    if args.save:
        args.save.write_text(text)
        print(f"{args.save}: {text.count(chr(10))} lines")
        return 0
    before = args.compare.read_text()
    if before == text:
        print(f"rows identical to {args.compare}")
        return 0
    sys.stdout.writelines(difflib.unified_diff(before.splitlines(True), text.splitlines(True),
                                               str(args.compare), "now", n=1))
    return 1


if __name__ == "__main__":
    sys.exit(main())
