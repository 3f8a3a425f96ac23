"""keep_raw + `paperfeed reparse`: papers rebuilt from kept responses, with the HTTP server out of the loop."""

from __future__ import annotations

import sqlite3
import zlib

from conftest import HF_API, HF_HTML
from test_fetch_hf import add_source


def rows(db_path, sql):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def content(db_path):
    return (rows(db_path, "select * from papers order by id"),
            rows(db_path, "select paper_id, source, listing_date, rank, upvotes, comments, submitter from sightings order by 1"))


def keep_raw(config_dir):
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("keep_raw = false", "keep_raw = true"))
    assert "keep_raw = true" in settings.read_text()


def wipe(db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("delete from sightings")
        conn.execute("delete from paper_tags")
        conn.execute("delete from identifiers")
        conn.execute("delete from papers")


def test_reparse_rebuilds_the_same_rows_from_kept_responses_without_fetching(httpserver, run_cli, db_path, config_dir):
    keep_raw(config_dir)
    httpserver.expect_request("/api/daily_papers").respond_with_data("upstream broke", status=500)
    httpserver.expect_request("/papers/date/2024-08-01").respond_with_data(HF_HTML.read_bytes(), content_type="text/html")
    httpserver.expect_request("/api/papers/search").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    add_source(config_dir, httpserver)
    add_source(config_dir, httpserver, name="hf-local-search", kind="hf-search", extra='query = "mri"')
    assert run_cli("ingest", "hf-local", "--date", "2024-08-01").exit_code == 0
    assert run_cli("ingest", "hf-local-search").exit_code == 0
    assert run_cli("ingest", httpserver.url_for("/api/daily_papers") + "?date=2024-10-25").exit_code == 1  # a 500
    before = content(db_path)
    kept = rows(db_path, "select run_id, url, status, headers like '%text/html%', body from raw_responses order by id")
    assert [k[:4] for k in kept] == [
        (1, httpserver.url_for("/papers/date/2024-08-01"), 200, 1),
        (2, httpserver.url_for("/api/papers/search") + "?q=mri", 200, 0),
    ]
    assert zlib.decompress(kept[0][4]) == HF_HTML.read_bytes()

    wipe(db_path)
    requests_so_far = len(httpserver.log)
    result = run_cli("reparse")
    assert result.exit_code == 0, result.output
    assert len(httpserver.log) == requests_so_far
    assert content(db_path) == before
    assert rows(db_path, "select error from runs where id = 4")[0][0].startswith("reparsed from the responses kept by run 1")
    reparsed = rows(db_path, "select source, status, entries_parsed from runs where id > 3 order by id")
    assert reparsed == [("hf-local", "ok", 13), ("hf-local-search", "ok", 4)]


def test_reparse_filters_by_source_and_day(httpserver, run_cli, db_path, config_dir):
    keep_raw(config_dir)
    httpserver.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    add_source(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", "2024-10-25").exit_code == 0
    assert "run 2 hf-local: ok" in run_cli("reparse", "--source", "hf-local").output
    other = run_cli("reparse", "--source", "other")
    assert other.stdout == "" and "no kept responses" in other.stderr
    nothing = run_cli("reparse", "--since", "2999-01-01")
    assert nothing.exit_code == 0 and "no kept responses" in nothing.stderr
    assert run_cli("reparse", "--since", "yesterday").exit_code == 2


def test_without_keep_raw_nothing_is_kept(httpserver, run_cli, db_path, config_dir):
    httpserver.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    add_source(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", "2024-10-25").exit_code == 0
    assert rows(db_path, "select count(*) from raw_responses") == [(0,)]


def test_a_damaged_kept_body_is_skipped_with_a_note_and_the_rest_reparsed(httpserver, run_cli, db_path, config_dir):
    keep_raw(config_dir)
    httpserver.expect_request("/api/daily_papers").respond_with_data(HF_API.read_bytes(), content_type="application/json")
    add_source(config_dir, httpserver)
    assert run_cli("ingest", "hf-local", "--date", "2024-10-24").exit_code == 0
    assert run_cli("ingest", "hf-local", "--date", "2024-10-25").exit_code == 0
    with sqlite3.connect(db_path) as conn:  # a flipped byte on disk: the zlib stream no longer decodes
        conn.execute("update raw_responses set body = substr(body, 1, 10) || x'00ff00ff' || substr(body, 15)"
                     " where run_id = 1")
    result = run_cli("reparse")
    assert result.exit_code == 1
    assert "run 3 hf-local: failed: run 1: kept response 1 (" in result.output
    assert "is damaged (Error -3 while decompressing data" in result.output and "; not reparsed" in result.output
    assert "run 4 hf-local: ok: 4 entries parsed" in result.output
    assert "Traceback" not in result.output


def test_kept_runs_are_read_one_at_a_time(db_path):
    import os
    import tracemalloc

    from pipeline.store import Store, raw

    megabyte = 1 << 20
    with Store(db_path) as store:
        for run_id in range(1, 21):  # 20 runs of 1 MiB incompressible bodies
            run = store.start_run("hf-local", "x")
            raw.keep(store.conn, run, "hf-local", {"day": "2024-10-25"},
                     [raw.KeptResponse(url="http://x/", status=200, headers={}, body=os.urandom(megabyte),
                                       content_sha256="-")])
        tracemalloc.start()
        seen = 0
        for kept in raw.kept_runs(store):
            seen += len(kept.responses[0].body)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert seen == 20 * megabyte
    assert peak < 6 * megabyte  # one run (body, its compressed row, a copy) at a time, not all twenty
