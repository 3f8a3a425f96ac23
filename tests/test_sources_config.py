"""Configured arXiv, bioRxiv and feed sources fetched from a local server, as `paperfeed ingest NAME` runs them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug import Request, Response

from sources_helpers import (
    BIORXIV_RSS, EMPTY_SATURDAY, JOURNAL_ATOM, RSS_SAMPLE, api_page, biorxiv_page, rows, write_sources,
)


def configure(config_dir, server, body: str) -> None:
    write_sources(config_dir, body.replace("BASE", server.url_for("").rstrip("/")))


def test_arxiv_rss_source_fetches_the_combined_category_feed(run_cli, db_path, config_dir, server):
    configure(config_dir, server, '[[source]]\nname = "arxiv-imaging"\nkind = "arxiv-rss"\nbase_url = "BASE"\n'
                                  'categories = ["eess.IV", "cs.CV", "physics.med-ph"]\n')
    server.expect_request("/rss/eess.IV+cs.CV+physics.med-ph").respond_with_data(
        RSS_SAMPLE.read_bytes(), content_type="application/rss+xml")
    result = run_cli("ingest", "arxiv-imaging")
    assert result.exit_code == 0, result.output
    assert "1 papers new" in result.output
    assert rows(db_path, "select source, status, listing_date from runs") == [("arxiv-imaging", "ok", "2025-09-22")]
    assert rows(db_path, "select paper_id, source, listing_date, announce_type from sightings") == [
        ("arxiv:2509.15234", "arxiv-imaging", "2025-09-22", "new")]


def test_empty_feed_is_an_empty_run_and_a_weekday_one_is_noted(run_cli, db_path, config_dir, server):
    configure(config_dir, server, '[[source]]\nname = "arxiv-imaging"\nkind = "arxiv-rss"\nbase_url = "BASE"\n'
                                  'categories = ["cs.CV"]\n')
    saturday = EMPTY_SATURDAY.read_bytes()
    friday = saturday.replace(b"Sat, 27 Sep 2025", b"Fri, 26 Sep 2025")  # the same empty feed on a weekday
    server.expect_ordered_request("/rss/cs.CV").respond_with_data(saturday, content_type="application/rss+xml")
    server.expect_ordered_request("/rss/cs.CV").respond_with_data(friday, content_type="application/rss+xml")
    for _ in range(2):
        result = run_cli("ingest", "arxiv-imaging")
        assert result.exit_code == 0, result.output
        assert ": empty" in result.output
    runs = rows(db_path, "select status, listing_date, error from runs order by id")
    assert [r[:2] for r in runs] == [("empty", "2025-09-27"), ("empty", "2025-09-26")]
    assert "a weekday" not in runs[0][2]
    assert "no announcements on 2025-09-26, a weekday: an arXiv holiday" in runs[1][2]


def _api_handler(papers_by_day: dict[str, list[str]], log: list[dict], empty_first: set[int] = frozenset(),
                 always_empty: bool = False):
    served_empty: set[int] = set()

    def handle(request: Request) -> Response:
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        log.append(query)
        day = query["search_query"].split("submittedDate:[")[1][:8]
        day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        start, size = int(query["start"]), int(query["max_results"])
        ids = papers_by_day.get(day, [])
        chunk = [(i, f"{day}T12:00:00Z") for i in ids[start : start + size]]
        if always_empty or (start in empty_first and start not in served_empty):
            served_empty.add(start)
            chunk = []
        return Response(api_page(chunk, len(ids), start, size), content_type="application/atom+xml")

    return handle


API_SOURCE = ('[[source]]\nname = "arxiv-backfill"\nkind = "arxiv-api"\nbase_url = "BASE"\n'
              'categories = ["eess.IV", "physics.med-ph"]\npage_size = 2\nempty_retries = 1\n')


def test_arxiv_api_source_pages_through_a_day_and_retries_a_suspicious_empty_page(run_cli, db_path, config_dir, server):
    configure(config_dir, server, API_SOURCE)
    log: list[dict] = []
    server.expect_request("/api/query").respond_with_handler(
        _api_handler({"2024-01-02": ["2401.00101", "2401.00102", "2401.00103"]}, log, empty_first={2}))
    result = run_cli("ingest", "arxiv-backfill", "--date", "2024-01-02")
    assert result.exit_code == 0, result.output
    assert log[0]["search_query"] == "(cat:eess.IV OR cat:physics.med-ph) AND submittedDate:[202401020000 TO 202401022359]"
    assert [q["start"] for q in log] == ["0", "2", "2"]  # the empty page at 2 was fetched again before believing it
    runs = rows(db_path, "select status, listing_date, entries_parsed, error from runs order by id")
    assert [r[:3] for r in runs] == [("ok", None, 2), ("ok", "2024-01-02", 1)]
    assert "fetched again 1 time" in runs[1][3]
    assert rows(db_path, "select id, published_at from papers order by id") == [
        ("arxiv:2401.00101", "2024-01-02T12:00:00Z"), ("arxiv:2401.00102", "2024-01-02T12:00:00Z"),
        ("arxiv:2401.00103", "2024-01-02T12:00:00Z")]
    assert rows(db_path, "select distinct source, listing_date from sightings") == [("arxiv-backfill", "2024-01-02")]


def test_a_page_that_stays_empty_against_arxivs_totals_fails_the_run(run_cli, db_path, config_dir, server):
    configure(config_dir, server, API_SOURCE)
    log: list[dict] = []
    server.expect_request("/api/query").respond_with_handler(
        _api_handler({"2024-01-02": ["2401.00101"]}, log, always_empty=True))
    result = run_cli("ingest", "arxiv-backfill", "--date", "2024-01-02")
    assert result.exit_code == 1
    assert "empty although totalResults=1, 2 times" in result.stderr
    assert len(log) == 2
    assert rows(db_path, "select status, listing_date from runs") == [("failed", None)]


def test_biorxiv_source_follows_the_cursor_and_keeps_its_category(run_cli, db_path, config_dir, server):
    configure(config_dir, server, '[[source]]\nname = "medrxiv-radiology"\nkind = "biorxiv"\nserver = "medrxiv"\n'
                                  'base_url = "BASE"\ncategory = "radiology and imaging"\n')
    first = [{"doi": f"10.1101/2024.01.02.24{n:06d}", "category": "radiology and imaging"} for n in range(29)]
    first.append({"doi": "10.1101/2024.01.02.24999999", "category": "oncology"})
    second = [{"doi": "10.1101/2024.01.02.24000100", "category": "Radiology and Imaging", "version": "2"}]
    path = "/details/medrxiv/2024-01-02/2024-01-02/{}/json"
    server.expect_request(path.format(0), query_string="category=radiology_and_imaging").respond_with_data(
        biorxiv_page(first, 31, 0), content_type="application/json")
    server.expect_request(path.format(30), query_string="category=radiology_and_imaging").respond_with_data(
        biorxiv_page(second, 31, 30), content_type="application/json")
    result = run_cli("ingest", "medrxiv-radiology", "--date", "2024-01-02")
    assert result.exit_code == 0, result.output
    assert rows(db_path, "select status, listing_date, entries_parsed from runs order by id") == [
        ("ok", None, 29), ("ok", "2024-01-02", 1)]
    assert "kept 29 of 30 records in category 'radiology and imaging'" in rows(db_path, "select error from runs")[0][0]
    assert rows(db_path, "select count(*) from papers") == [(30,)]
    assert rows(db_path, "select preprint_version, published_at from papers where id = 'doi:10.1101/2024.01.02.24000100'") == [
        (2, None)]


def test_biorxiv_subject_feed_is_the_daily_run(run_cli, db_path, config_dir, server):
    configure(config_dir, server, '[[source]]\nname = "biorxiv-bioeng"\nkind = "biorxiv"\nserver = "biorxiv"\n'
                                  'subject = "Bioengineering"\nrss_base_url = "BASE"\n')
    server.expect_request("/biorxiv_xml.php", query_string="subject=Bioengineering").respond_with_data(
        BIORXIV_RSS.read_bytes(), content_type="application/rdf+xml")
    result = run_cli("ingest", "biorxiv-bioeng")
    assert result.exit_code == 0, result.output
    assert rows(db_path, "select paper_id, source, listing_date from sightings") == [
        ("doi:10.1101/857789", "biorxiv-bioeng", "2019-11-29")]


def test_any_feed_is_a_source_by_configuration_alone(run_cli, db_path, config_dir, server):
    configure(config_dir, server, '[[source]]\nname = "journal-toc"\nkind = "feed"\nurl = "BASE/toc.atom"\n')
    server.expect_request("/toc.atom").respond_with_data(JOURNAL_ATOM.read_bytes(), content_type="application/atom+xml")
    result = run_cli("ingest", "journal-toc")
    assert result.exit_code == 0, result.output
    assert "3 papers new" in result.output
    assert rows(db_path, "select id from papers order by id") == [
        ("arxiv:2507.01234",), ("doi:10.1234/jmir.2025.0101",), ("title:editorial a year in imaging|itor",)]
    assert rows(db_path, "select distinct source from sightings") == [("journal-toc",)]


@pytest.mark.parametrize("body, message", [
    ('[[source]]\nname = "a"\nkind = "arxiv-rss"\n', "source 'a': kind arxiv-rss needs categories"),
    ('[[source]]\nname = "a"\nkind = "arxiv-api"\ncategories = "cs.CV"\n', "categories = 'cs.CV': must be a non-empty list"),
    ('[[source]]\nname = "a"\nkind = "biorxiv"\nserver = "arxiv"\n', 'server = \'arxiv\': must be "biorxiv" or "medrxiv"'),
    ('[[source]]\nname = "a"\nkind = "feed"\nurl = "ftp://x"\n', "url = 'ftp://x': must be an http(s) URL"),
    ('[[source]]\nname = "a"\nkind = "arxiv-api"\ncategories = ["cs.CV"]\npage_size = 0\n', "page_size = 0: must be a whole number >= 1"),
])
def test_bad_source_options_are_one_line_config_errors(run_cli, config_dir, body, message):
    write_sources(config_dir, body)
    result = run_cli("ingest", "a")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
