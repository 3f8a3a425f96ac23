"""The pubmed, crossref and arxiv-oai kinds against a local server: paging, pacing, keys, error answers.

Every answer served is a real saved response (or one cut from it, said where);
the server records when each request arrived, so pacing is measured between
requests as they reached it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug import Request, Response

from sources_helpers import FIXTURES, rows, write_sources

PUBMED, CROSSREF, OAI = FIXTURES / "pubmed", FIXTURES / "crossref", FIXTURES / "arxiv-oai"
ESEARCH = PUBMED / "pubmed_esearch_cancer-reldate60-edat-usehistory_2025-11-27_biopython.xml"
ESEARCH_EMPTY = PUBMED / "pubmed_esearch_abcXYZ-no-items-found_2026-01_biopython.xml"
ERROR_ENVELOPE = PUBMED / "pubmed_esummary_error-no-query_key-nor-id_2026-01_biopython.xml"
EFETCH = [PUBMED / "pubmed_efetch_38909159_cardiac-imaging-structured_2025-08_metapub.xml",
          PUBMED / "pubmed_efetch_29963580_pulmonary-imaging-collectivename_2019_biopython.xml",
          PUBMED / "pubmed_efetch_36096127_xcist-ct-simulation_2025-08_metapub.xml"]
CR_PAGE1 = CROSSREF / "crossref_members-works_98_rows5_cursor-star_2026-06-16_habanero.json"
CR_PAGE2 = CROSSREF / "crossref_members-works_98_rows5_cursor-page2_2026-06-16_habanero.json"
CR_ERROR = CROSSREF / "crossref_works_cursor-invalid_404_2026-06-16_habanero.json"
OAI_PAGE1 = OAI / "arxiv_oai2_ListRecords_arXivRaw_from-2014-10-01_page1-token_2015-01-06_arXivOAIHarvester.xml"
OAI_LAST = OAI / "arxiv_oai2_ListRecords_arXiv_2015-01-01_to_2015-01-03_complete-no-token_2018-06-21_paperhive-nock.xml"
OAI_BAD_TOKEN = OAI / "arxiv_oai2_error_badResumptionToken_2015-06-23_arXivOAIHarvester.xml"


class Recorder:
    """Answers by a function of the query; keeps (arrival time, path, query) of every request."""

    def __init__(self, server, answer):
        self.log: list[tuple[float, str, dict]] = []
        self.answer = answer
        self.created = time.monotonic()

        def handler(request: Request) -> Response:
            query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
            self.log.append((time.monotonic(), request.path, query))
            return answer(request.path, query)

        server.expect_request("/").respond_with_handler(handler)
        for path in ("/esearch.fcgi", "/efetch.fcgi", "/oai2"):
            server.expect_request(path).respond_with_handler(handler)
        server.expect_request("/journals/0033-8419/works").respond_with_handler(handler)
        server.expect_request("/journals/1432-1084/works").respond_with_handler(handler)

    def gaps(self) -> list[float]:
        arrivals = [t for t, _, _ in self.log]
        return [b - a for a, b in zip(arrivals, arrivals[1:])]

    def spaced(self, interval: float) -> bool:
        """Request k reached the server no sooner than k intervals after this recorder was made.

        A busy machine can delay when the server thread notes a request, so a gap between two
        arrivals can look shorter than the client waited; measured from a moment before the
        first request was sent, a paced client can never look early, and an unpaced one does.
        """
        arrivals = [t for t, _, _ in self.log]
        return all(t - self.created >= k * interval * 0.99 for k, t in enumerate(arrivals))


def xml(path) -> Response:
    return Response(path.read_bytes(), content_type="text/xml")


def pubmed_source(config_dir, server, extra: str = "") -> None:
    write_sources(config_dir, f'[[source]]\nname = "pubmed-imaging"\nkind = "pubmed"\nbase_url = "{server.url_for("/").rstrip("/")}"\n'
                              f'term = "diagnostic imaging[MeSH] AND artificial intelligence[MeSH]"\nemail = "lab@example.org"\n'
                              f"page_size = 2\n{extra}")


def pubmed_answers(count: int = 5):
    """esearch: the real history-server answer with its Count set to `count`; efetch: real records by retstart."""
    search = ESEARCH.read_text().replace("<Count>42249</Count>", f"<Count>{count}</Count>")

    def answer(path, query):
        if path == "/esearch.fcgi":
            return Response(search, content_type="text/xml")
        start = int(query["retstart"])
        return xml(EFETCH[min(start // 2, len(EFETCH) - 1)])
    return answer


def test_pubmed_day_pages_by_retstart_on_the_history_server(run_cli, db_path, config_dir, server):
    recorder = Recorder(server, pubmed_answers(count=5))
    pubmed_source(config_dir, server)
    result = run_cli("ingest", "pubmed-imaging", "--date", "2024-06-22")
    assert result.exit_code == 0, result.output
    search = recorder.log[0][2]
    assert (search["datetype"], search["mindate"], search["maxdate"], search["usehistory"]) == ("edat", "2024/06/22", "2024/06/22", "y")
    assert (search["tool"], search["email"]) == ("paperfeed", "lab@example.org") and "api_key" not in search
    fetches = [q for _, path, q in recorder.log if path == "/efetch.fcgi"]
    assert [(q["retstart"], q["retmax"]) for q in fetches] == [("0", "2"), ("2", "2"), ("4", "2")]
    assert {(q["WebEnv"], q["query_key"]) for q in fetches} == {("MCID_6927d6e7fee3e90f880ec190", "1")}
    assert rows(db_path, "select pmid from papers order by pmid") == [("29963580",), ("36096127",), ("38909159",)]
    assert rows(db_path, "select source, status, listing_date from runs") == [("pubmed-imaging", "ok", "2024-06-22")]
    assert rows(db_path, "select distinct listing_date from sightings") == [("2024-06-22",)]
    # Three records for a Count of 5: said on the run, not hidden.
    assert "esearch counted 5 records, efetch returned 3" in rows(db_path, "select error from runs")[0][0]
    assert rows(db_path, "select count(*) from paper_terms where vocabulary = 'mesh' and paper_id = 'doi:10.1038/s41390-024-03336-8'") == [(9,)]


def test_pubmed_without_a_key_is_paced_at_three_a_second(run_cli, db_path, config_dir, server, monkeypatch):
    monkeypatch.delenv("PAPERFEED_TEST_NCBI_KEY", raising=False)
    recorder = Recorder(server, pubmed_answers(count=5))
    pubmed_source(config_dir, server, 'api_key_env = "PAPERFEED_TEST_NCBI_KEY"\n')
    result = run_cli("ingest", "pubmed-imaging", "--date", "2024-06-22")
    assert result.exit_code == 0, result.output
    assert len(recorder.log) == 4 and recorder.spaced(1 / 3), recorder.gaps()
    assert all("api_key" not in q for _, _, q in recorder.log)
    assert "PAPERFEED_TEST_NCBI_KEY is not set: 3 requests/s" in rows(db_path, "select error from runs")[0][0]


def test_pubmed_with_a_key_sends_it_and_uses_the_faster_rate(run_cli, db_path, config_dir, server, monkeypatch):
    monkeypatch.setenv("PAPERFEED_TEST_NCBI_KEY", "abc123")
    recorder = Recorder(server, pubmed_answers(count=5))
    pubmed_source(config_dir, server, 'api_key_env = "PAPERFEED_TEST_NCBI_KEY"\n')
    result = run_cli("ingest", "pubmed-imaging", "--date", "2024-06-22")
    assert result.exit_code == 0, result.output
    assert all(q.get("api_key") == "abc123" for _, _, q in recorder.log)
    assert recorder.spaced(0.1), recorder.gaps()
    # The ledger's target never carries the key.
    assert "abc123" not in rows(db_path, "select target from runs")[0][0]


def test_the_ncbi_key_is_never_written_to_the_database(run_cli, db_path, config_dir, server, monkeypatch):
    """Kept raw responses and the HTTP cache record the URLs fetched: the key's value is redacted in both."""
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("keep_raw = false", "keep_raw = true"))
    monkeypatch.setenv("PAPERFEED_TEST_NCBI_KEY", "abc123")
    Recorder(server, pubmed_answers(count=5))
    pubmed_source(config_dir, server, 'api_key_env = "PAPERFEED_TEST_NCBI_KEY"\n')
    result = run_cli("ingest", "pubmed-imaging", "--date", "2024-06-22")
    assert result.exit_code == 0, result.output
    kept = [url for (url,) in rows(db_path, "select url from raw_responses")]
    cached = [url for (url,) in rows(db_path, "select url from http_cache")]
    assert kept and all("api_key=REDACTED" in url for url in kept if "efetch" in url), kept
    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    assert "abc123" not in dump, [line for line in dump.splitlines() if "abc123" in line][:3]
    assert cached == [] or all("abc123" not in url for url in cached)
    from pipeline.config import load_config
    from pipeline.kinds import kind_named
    kind = kind_named("pubmed")("pubmed-imaging", load_config(config_dir).sources["pubmed-imaging"].options)
    host = urlsplit(server.url_for("/")).hostname
    assert kind.paced()[0].interval_for(host) == pytest.approx(0.1)
    monkeypatch.delenv("PAPERFEED_TEST_NCBI_KEY")
    assert kind.paced()[0].interval_for(host) == pytest.approx(1 / 3)


def test_pubmed_count_zero_is_an_empty_run(run_cli, db_path, config_dir, server):
    Recorder(server, lambda path, query: xml(ESEARCH_EMPTY))
    pubmed_source(config_dir, server)
    result = run_cli("ingest", "pubmed-imaging", "--date", "2024-06-23")
    assert result.exit_code == 0, result.output
    assert rows(db_path, "select status, listing_date from runs") == [("empty", "2024-06-23")]


def test_pubmed_error_answer_is_a_failed_run_with_ncbis_message(run_cli, db_path, config_dir, server):
    Recorder(server, lambda path, query: xml(ERROR_ENVELOPE))
    pubmed_source(config_dir, server)
    result = run_cli("ingest", "pubmed-imaging", "--date", "2024-06-23")
    assert result.exit_code != 0
    [(status, error)] = rows(db_path, "select status, error from runs")
    assert status == "failed" and "Neither query_key nor id specified" in error
    assert "Traceback" not in result.output


def crossref_source(config_dir, server, issns='["0033-8419"]') -> None:
    write_sources(config_dir, f'[[source]]\nname = "journals"\nkind = "crossref"\nbase_url = "{server.url_for("/").rstrip("/")}"\n'
                              f'issns = {issns}\nmailto = "lab@example.org"\nrows = 5\n')


def test_crossref_follows_the_cursor_until_the_empty_page(run_cli, db_path, config_dir, server):
    """Two real cursor pages; the third answer is page 2 with its items removed (the end of the list).

    Crossref hands back the same cursor on both real pages, so only an empty page ends the list.
    """
    page2 = json.loads(CR_PAGE2.read_bytes())
    page2["message"]["items"] = []
    pages = [CR_PAGE1.read_bytes(), CR_PAGE2.read_bytes(), json.dumps(page2).encode()]
    first_cursor = json.loads(CR_PAGE1.read_bytes())["message"]["next-cursor"]
    second_cursor = json.loads(CR_PAGE2.read_bytes())["message"]["next-cursor"]

    def answer(path, query):
        return Response(pages[min(len(recorder.log) - 1, 2)], content_type="application/json")
    recorder = Recorder(server, answer)
    crossref_source(config_dir, server)
    result = run_cli("ingest", "journals", "--date", "2026-06-15")
    assert result.exit_code == 0, result.output
    queries = [q for _, _, q in recorder.log]
    assert [q["cursor"] for q in queries] == ["*", first_cursor, second_cursor]
    assert queries[0]["filter"] == "from-index-date:2026-06-15,until-index-date:2026-06-15"
    assert queries[0]["mailto"] == "lab@example.org" and queries[0]["rows"] == "5"
    assert rows(db_path, "select count(*) from papers where work_type = 'journal-article'") == [(9,)]
    assert rows(db_path, "select status, listing_date from runs") == [("ok", "2026-06-15")]


def test_crossref_error_answer_is_a_failed_run_with_its_message(run_cli, db_path, config_dir, server):
    Recorder(server, lambda path, query: Response(CR_ERROR.read_bytes(), status=400, content_type="application/json"))
    crossref_source(config_dir, server)
    result = run_cli("ingest", "journals", "--date", "2026-06-15")
    assert result.exit_code != 0
    [(status, error)] = rows(db_path, "select status, error from runs")
    assert status == "failed" and "400" in error


def test_crossref_error_inside_http_200_carries_crossrefs_message(run_cli, db_path, config_dir, server):
    Recorder(server, lambda path, query: Response(CR_ERROR.read_bytes(), content_type="application/json"))
    crossref_source(config_dir, server)
    assert run_cli("ingest", "journals", "--date", "2026-06-15").exit_code != 0
    [(status, error)] = rows(db_path, "select status, error from runs")
    assert status == "failed" and "Cursor specified but it is invalid" in error


def oai_source(config_dir, server, sets='["physics:nucl-ex"]', prefix="arXivRaw") -> None:
    write_sources(config_dir, f'[[source]]\nname = "arxiv-bulk"\nkind = "arxiv-oai"\nbase_url = "{server.url_for("/oai2")}"\n'
                              f'sets = {sets}\nmetadata_prefix = "{prefix}"\n')
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("[http.min_interval]\n", '[http.min_interval]\n"127.0.0.1" = 0.5\n', 1))


def test_oai_follows_the_resumption_token_and_is_paced(run_cli, db_path, config_dir, server):
    def answer(path, query):
        return xml(OAI_LAST if query.get("resumptionToken") == "726959|1001" else OAI_PAGE1)
    recorder = Recorder(server, answer)
    oai_source(config_dir, server)
    result = run_cli("ingest", "arxiv-bulk", "--date", "2014-11-18")
    assert result.exit_code == 0, result.output
    queries = [q for _, _, q in recorder.log]
    assert queries[0] == {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "physics:nucl-ex",
                          "from": "2014-11-18", "until": "2014-11-18"}
    assert queries[1] == {"verb": "ListRecords", "resumptionToken": "726959|1001"}
    assert len(queries) == 2 and recorder.spaced(0.5), recorder.gaps()
    assert rows(db_path, "select count(*) from papers") == [(8,)]
    assert rows(db_path, "select status, listing_date from runs") == [("ok", "2014-11-18")]
    # Created dates, not the harvest day, date the papers.
    assert rows(db_path, "select published_at from papers where arxiv_id = '0704.0471'") == [("2007-04-03T22:04:11Z",)]


def test_oai_error_answer_is_a_failed_run_with_arxivs_message(run_cli, db_path, config_dir, server):
    Recorder(server, lambda path, query: xml(OAI_BAD_TOKEN))
    oai_source(config_dir, server)
    assert run_cli("ingest", "arxiv-bulk", "--date", "2014-11-18").exit_code != 0
    [(status, error)] = rows(db_path, "select status, error from runs")
    assert status == "failed" and "badResumptionToken: The resumptionToken supplied is illegal" in error


def test_oai_retry_after_503_is_waited_out(run_cli, db_path, config_dir, server):
    """arXiv's real 503 'Retry after 10 seconds' (Retry-After shortened to 1 s), then the real complete page."""
    served = []

    def answer(path, query):
        served.append(1)
        if len(served) == 1:
            body = (OAI / "arxiv_oai2_503-retry-after-10_2018-06-21_paperhive-nock.html").read_bytes()
            return Response(body, status=503, headers={"Retry-After": "1"}, content_type="text/html")
        return xml(OAI_LAST)
    recorder = Recorder(server, answer)
    oai_source(config_dir, server, prefix="arXiv")
    result = run_cli("ingest", "arxiv-bulk", "--date", "2015-01-03")
    assert result.exit_code == 0, result.output
    assert len(recorder.log) == 2 and recorder.spaced(1.0), recorder.gaps()
    assert rows(db_path, "select count(*) from papers") == [(2,)]


def test_sources_command_lists_kind_schedule_last_run_and_next_slot(run_cli, db_path, config_dir, server):
    Recorder(server, pubmed_answers(count=2))
    pubmed_source(config_dir, server)
    with (config_dir / "sources.toml").open("a") as handle:
        handle.write('\n[[source]]\nname = "journals"\nkind = "crossref"\nissns = ["0033-8419"]\nenabled = false\n')
    before = run_cli("sources")
    assert before.exit_code == 0, before.output
    assert not db_path.exists()  # listing sources creates no database
    assert run_cli("ingest", "pubmed-imaging", "--date", "2024-06-22").exit_code == 0
    lines = run_cli("sources").output.splitlines()
    assert lines[0] == "pubmed-imaging  kind pubmed"
    assert lines[1].startswith("  schedule '17 6 * * *' America/New_York; last run ok ")
    assert "; next slot 20" in lines[1] and lines[1].endswith(":17:00Z")
    assert lines[2] == "journals  kind crossref  (disabled)"
    assert lines[3] == "  schedule '29 5 * * *' UTC; last run never; next slot -"


def test_hosts_of_one_pace_group_share_one_clock(server, tmp_path):
    """arXiv's rule covers all its hosts: requests alternating between two names of a group stay spaced."""
    from pipeline.http import HttpSettings, fetch

    recorder = Recorder(server, lambda path, query: xml(OAI_LAST))
    port = urlsplit(server.url_for("/")).port
    settings = HttpSettings(min_interval={"127.0.0.1": 0.4, "localhost": 0.4},
                            pace_groups={"127.0.0.1": "test-group", "localhost": "test-group"},
                            allow_private=("127.0.0.1", "localhost"), state_dir=tmp_path, retries=0)
    for host in ("127.0.0.1", "localhost", "127.0.0.1", "localhost"):
        fetch(f"http://{host}:{port}/oai2?verb=Identify", settings)
    assert len(recorder.log) == 4 and recorder.spaced(0.4), recorder.gaps()
    assert settings.pace_key("LOCALHOST.") == "test-group"
    assert HttpSettings().pace_key("oaipmh.arxiv.org") == HttpSettings().pace_key("export.arxiv.org") == "arxiv.org"


def test_pubmed_backfill_walks_entrez_days(run_cli, db_path, config_dir, server):
    """Day one has the real answer's records; day two is the real Count 0 answer."""
    busy = pubmed_answers(count=2)

    def answer(path, query):
        if path == "/esearch.fcgi" and query["mindate"] == "2024/06/23":
            return xml(ESEARCH_EMPTY)
        return busy(path, query)
    recorder = Recorder(server, answer)
    pubmed_source(config_dir, server)
    result = run_cli("backfill", "pubmed-imaging", "--since", "2024-06-22", "--until", "2024-06-23")
    assert result.exit_code == 0, result.output
    assert rows(db_path, "select listing_date, status from runs order by listing_date") == [
        ("2024-06-22", "ok"), ("2024-06-23", "empty")]
    again = run_cli("backfill", "pubmed-imaging", "--since", "2024-06-22", "--until", "2024-06-23")
    assert again.exit_code == 0 and len(recorder.log) == 3  # both days complete: nothing fetched again
