"""Every run path goes through `run_unit`: the lock, catch-up by each kind's date plan, the paging hard stop, reparse.

Real local servers on 127.0.0.1 answer with pages built from the saved
arXiv API and bioRxiv details samples (see `sources_helpers`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from werkzeug import Response

from conftest import ROOT
from pipeline.api import Feed
from pipeline.run.sources import run_all
from sources_helpers import api_page, biorxiv_page, rows, write_sources

DAY0 = date(2026, 3, 2)


def day_of_query(query: str) -> str:
    """The day in an arXiv `submittedDate:[YYYYMMDD0000 TO ...]` search."""
    stamp = query.split("submittedDate:[", 1)[1][:8]
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"


def serve_arxiv(server, *, honour_start: bool = True, total: int = 1, per_page: int = 1):
    """One paper per submission day, or `total` papers paged `per_page` at a time."""

    def answer(request):
        day = day_of_query(request.args["search_query"])
        start = int(request.args.get("start", 0)) if honour_start else 0
        count = min(per_page, max(total - start, 0))
        papers = [(f"2603.{day[-2:]}{start + i:03d}", f"{day}T10:00:00Z") for i in range(count)]
        return Response(api_page(papers, total, start, per_page), content_type="application/atom+xml")

    server.expect_request("/api/query").respond_with_handler(answer)


def serve_biorxiv(server):
    def answer(request):
        day = request.path.split("/")[3]
        record = {"doi": f"10.1101/{day}.000001", "title": f"A preprint posted {day}", "date": day}
        return Response(biorxiv_page([record], total=1, cursor=0), content_type="application/json")

    server.expect_request(re.compile(r"^/details/medrxiv/.*")).respond_with_handler(answer)


def arxiv_days(server) -> list[str]:
    return [day_of_query(request.args["search_query"]) for request, _ in server.log if request.path == "/api/query"]


def catch_up_at(db_path, config_dir, moment: datetime):
    session = Feed(db_path, config_dir)
    try:
        return run_all(session.pipeline(), now=moment)
    finally:
        session.close()


def test_after_three_days_down_arxiv_api_and_biorxiv_fetch_exactly_the_three_missing_days(
        server, run_cli, db_path, config_dir):
    serve_arxiv(server)
    serve_biorxiv(server)
    base = server.url_for("").rstrip("/")
    write_sources(config_dir, f'[[source]]\nname = "api"\nkind = "arxiv-api"\nbase_url = "{base}"\ncategories = ["cs.CV"]\n'
                              f'\n[[source]]\nname = "pre"\nkind = "biorxiv"\nbase_url = "{base}"\nserver = "medrxiv"\n')
    assert run_cli("ingest", "api", "--date", DAY0.isoformat()).exit_code == 0
    assert run_cli("ingest", "pre", "--date", DAY0.isoformat()).exit_code == 0
    server.clear_log()
    # Down for three days: the next run is four days later, when the latest finished day is DAY0 + 3.
    summaries = catch_up_at(db_path, config_dir, datetime.combine(DAY0 + timedelta(days=4), datetime.min.time(),
                                                                  timezone.utc) + timedelta(hours=12))
    missing = [(DAY0 + timedelta(days=n)).isoformat() for n in (1, 2, 3)]
    assert arxiv_days(server) == missing
    posted = [request.path.split("/")[3] for request, _ in server.log if request.path.startswith("/details/")]
    assert posted == missing
    assert [s.status for s in summaries] == ["ok"] * 6
    for source in ("api", "pre"):
        assert rows(db_path, "select listing_date from runs where source = ? and status = 'ok' order by listing_date",
                    (source,)) == [(d,) for d in [DAY0.isoformat(), *missing]]


def test_a_server_that_ignores_start_ends_the_day_after_one_repeated_page(server, run_cli, db_path, config_dir):
    serve_arxiv(server, honour_start=False, total=50, per_page=2)
    base = server.url_for("").rstrip("/")
    write_sources(config_dir, f'[[source]]\nname = "api"\nkind = "arxiv-api"\nbase_url = "{base}"\n'
                              f'categories = ["cs.CV"]\npage_size = 2\n')
    result = run_cli("ingest", "api", "--date", DAY0.isoformat())
    assert result.exit_code == 1
    starts = [request.args["start"] for request, _ in server.log]
    assert starts == ["0", "2"]
    runs = rows(db_path, "select status, listing_date, error from runs order by id")
    assert [r[:2] for r in runs] == [("ok", None), ("failed", None)]
    assert "page at 2 repeats the previous page (the server ignores start?)" in runs[1][2]
    assert "repeats the previous page" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert rows(db_path, "select count(*), min(rank), max(rank) from sightings") == [(2, 1, 2)]


def test_a_backfill_stops_a_day_at_the_configured_page_limit_with_a_note(server, run_cli, db_path, config_dir):
    serve_arxiv(server, total=50, per_page=2)
    base = server.url_for("").rstrip("/")
    write_sources(config_dir, f'[[source]]\nname = "api"\nkind = "arxiv-api"\nbase_url = "{base}"\n'
                              f'categories = ["cs.CV"]\npage_size = 2\n')
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("workers = 2", "workers = 2\nmax_pages_per_day = 3"))
    result = run_cli("backfill", "api", "--since", DAY0.isoformat(), "--until", DAY0.isoformat())
    assert result.exit_code == 0, result.output
    assert [request.args["start"] for request, _ in server.log] == ["0", "2", "4"]
    last = rows(db_path, "select status, listing_date, error from runs order by id desc limit 1")[0]
    assert last[:2] == ("ok", None)  # the day is not complete: a later backfill resumes it
    assert "stopped after 3 pages ([schedule] max_pages_per_day = 3)" in last[2]


def hold_lock(db_path, source: str) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time; from pipeline.run.locking import SourceLock;"
         f" assert SourceLock({str(db_path)!r}, {source!r}).acquire(); print('held', flush=True); time.sleep(60)"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_backfill_and_reparse_record_skipped_while_another_process_holds_the_lock(server, run_cli, db_path, config_dir):
    serve_arxiv(server)
    base = server.url_for("").rstrip("/")
    write_sources(config_dir, f'[[source]]\nname = "api"\nkind = "arxiv-api"\nbase_url = "{base}"\ncategories = ["cs.CV"]\n')
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("keep_raw = false", "keep_raw = true"))
    assert run_cli("ingest", "api", "--date", DAY0.isoformat()).exit_code == 0
    server.clear_log()
    holder = hold_lock(db_path, "api")
    try:
        backfill = run_cli("backfill", "api", "--since", "2026-03-03", "--until", "2026-03-05")
        reparse = run_cli("reparse")
    finally:
        holder.kill()
        holder.wait()
    assert backfill.exit_code == 1 and "stopped: another run of api is active" in backfill.output
    assert reparse.exit_code == 0
    assert server.log == []  # nothing fetched while another run writes the source
    skipped = rows(db_path, "select listing_date, error from runs where status = 'skipped' order by id")
    assert skipped == [("2026-03-03", f"another run of api is active (pid {holder.pid})"),
                       (DAY0.isoformat(), f"another run of api is active (pid {holder.pid})")]


def test_reparse_keeps_the_configured_source_name_and_duplicates_nothing(server, run_cli, db_path, config_dir):
    from sources_helpers import PUBMED_RSS

    server.expect_request("/feed").respond_with_data(PUBMED_RSS.read_bytes(), content_type="application/rss+xml")
    server.expect_request("/api/query").respond_with_handler(
        lambda request: Response(api_page([("2603.00001", "2026-03-02T10:00:00Z")], 1, 0, 1),
                                 content_type="application/atom+xml"))
    base = server.url_for("").rstrip("/")
    write_sources(config_dir, f'[[source]]\nname = "toc"\nkind = "feed"\nurl = "{base}/feed"\n'
                              f'\n[[source]]\nname = "api"\nkind = "arxiv-api"\nbase_url = "{base}"\ncategories = ["cs.CV"]\n')
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("keep_raw = false", "keep_raw = true"))
    assert run_cli("ingest", "toc").exit_code == 0
    assert run_cli("ingest", "api", "--date", DAY0.isoformat()).exit_code == 0
    before = rows(db_path, "select paper_id, source, listing_date, rank from sightings order by 1, 2")
    served = len(server.log)
    result = run_cli("reparse")
    assert result.exit_code == 0, result.output
    assert len(server.log) == served
    assert rows(db_path, "select source, status from runs where error like 'reparsed from%' order by id") == [
        ("toc", "ok"), ("api", "ok")]
    assert rows(db_path, "select paper_id, source, listing_date, rank from sightings order by 1, 2") == before
    assert {source for (source,) in rows(db_path, "select distinct source from sightings")} == {"toc", "api"}
