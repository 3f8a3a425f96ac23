"""What a new user trips over: where the database is, ad-hoc run names, typos as usage errors, CLI conventions."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

from click.testing import CliRunner
from werkzeug import Response

from conftest import FIXTURES, HF_API, HF_HTML, ROOT
from pipeline.cli import cli
from pipeline.store import Store


SEARCH = FIXTURES / "hf" / "hf_papers_search_medical-imaging_rendered-text_2026-02-23.txt"  # 64 papers, 63 tagged


def rows(db_path, sql, params=()):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


# -- where the database is ----------------------------------------------------------------


def test_a_read_command_on_a_missing_database_names_the_path_and_creates_nothing(run_cli, db_path):
    for command in (["stats"], ["runs"], ["search", "mri"], ["explain", "2407.21783"], ["export"]):
        result = run_cli(*command)
        assert result.exit_code == 2, (command, result.output)
        assert f"no database at {db_path}" in result.stderr and "PAPERFEED_DB" in result.stderr
    assert not db_path.exists()


def test_storage_db_in_settings_fixes_the_location_whatever_the_working_directory(tmp_path, config_dir, monkeypatch):
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("keep_raw = false", 'keep_raw = false\ndb = "../state/feed.db"'))
    monkeypatch.delenv("PAPERFEED_DB", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "ingest", str(HF_API)])
    assert result.exit_code == 0, result.output
    fixed = tmp_path / "state" / "feed.db"  # relative to settings.toml's folder, not to the working directory
    assert rows(fixed, "select count(*) from papers") == [(4,)] and not (elsewhere / "papers.db").exists()
    assert "4 papers" in CliRunner().invoke(cli, ["--config", str(config_dir), "stats"]).output


def test_paperfeed_db_beats_the_settings_file_and_db_beats_both(tmp_path, config_dir, monkeypatch):
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("keep_raw = false", f'keep_raw = false\ndb = "{tmp_path}/a.db"'))
    monkeypatch.setenv("PAPERFEED_DB", str(tmp_path / "b.db"))
    assert CliRunner().invoke(cli, ["--config", str(config_dir), "ingest", str(HF_API)]).exit_code == 0
    assert CliRunner().invoke(cli, ["--config", str(config_dir), "--db", str(tmp_path / "c.db"),
                                    "ingest", str(HF_API)]).exit_code == 0
    assert sorted(path.name for path in tmp_path.glob("*.db")) == ["b.db", "c.db"]


def test_an_empty_storage_db_is_a_configuration_error(run_cli, config_dir):
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("keep_raw = false", 'keep_raw = false\ndb = ""'))
    result = run_cli("ingest", str(HF_API))
    assert result.exit_code == 2 and "[storage] db = '': expected a file path" in result.stderr


def test_db_and_config_are_accepted_after_the_subcommand(tmp_path, config_dir):
    db = tmp_path / "after.db"
    result = CliRunner().invoke(cli, ["ingest", str(HF_API), "--db", str(db), "--config", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert rows(db, "select count(*) from papers") == [(4,)]
    listed = CliRunner().invoke(cli, ["runs", "--json", "--db", str(db)])
    assert [run["status"] for run in json.loads(listed.output)] == ["ok"]


def test_version_prints_the_installed_version():
    result = subprocess.run([sys.executable, "-m", "pipeline", "--version"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("paperfeed ") and result.stdout.split()[1][0].isdigit()


# -- ad-hoc runs --------------------------------------------------------------------------


def test_a_manual_file_ingest_cannot_pass_for_the_configured_source(run_cli, db_path):
    assert run_cli("ingest", str(HF_HTML)).exit_code == 0
    assert rows(db_path, "select source from runs") == [("adhoc:hf-daily",)]
    assert rows(db_path, "select distinct source from sightings") == [("adhoc:hf-daily",)]
    status = run_cli("status")  # the configured hf-daily has still never run
    assert next(line for line in status.stdout.splitlines() if line.startswith("hf-daily ")).split()[1:3] == \
        ["never", "run"]


def test_as_files_a_manual_ingest_under_the_named_source(run_cli, db_path):
    assert run_cli("ingest", str(HF_HTML), "--as", "hf-daily").exit_code == 0
    assert rows(db_path, "select source from runs") == [("hf-daily",)]
    refused = run_cli("ingest", "hf-daily", "--as", "other")
    assert refused.exit_code == 2 and "--as other: only for URLs and files" in refused.stderr


def test_sources_toml_cannot_take_an_adhoc_name(run_cli, config_dir):
    (config_dir / "sources.toml").write_text('[[source]]\nname = "adhoc:hf-daily"\nkind = "hf-daily"\n')
    result = run_cli("ingest", str(HF_API))
    assert result.exit_code == 2 and "kept for manual ingests" in result.stderr


def test_several_files_and_stdin_in_one_call(db_path, config_dir):
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config_dir),
                                      "ingest", str(HF_API), "-", str(HF_HTML)], input=HF_API.read_bytes())
    assert result.exit_code == 0, result.output
    assert rows(db_path, "select target, status from runs order by id") == [
        (str(HF_API), "ok"), ("<stdin>", "ok"), (str(HF_HTML), "ok")]
    assert "0 papers new" in result.stdout.splitlines()[1]  # stdin held the same four papers


def test_a_bad_target_among_several_stops_the_call_before_anything_runs(run_cli, db_path, tmp_path):
    result = run_cli("ingest", str(HF_API), str(tmp_path / "missing.json"))
    assert result.exit_code == 2 and "missing.json: not a configured source" in result.stderr
    assert not db_path.exists() or rows(db_path, "select count(*) from runs") == [(0,)]


# -- typos are usage errors ---------------------------------------------------------------


def test_date_or_query_on_a_source_that_does_not_take_them_lists_what_it_takes(run_cli, db_path):
    query = run_cli("ingest", "hf-daily", "--query", "mri")
    assert query.exit_code == 2
    assert "hf-daily: hf-daily sources do not take --query (they take --date)" in query.stderr
    day = run_cli("ingest", "hf-search", "--date", "2024-08-01")
    assert day.exit_code == 2 and "do not take --date (they take --query)" in day.stderr
    on_file = run_cli("ingest", str(HF_API), "--date", "2024-08-01")
    assert on_file.exit_code == 2 and "--date and --query are for configured sources" in on_file.stderr
    assert not db_path.exists() or rows(db_path, "select count(*) from runs") == [(0,)]


# -- conventions --------------------------------------------------------------------------


def test_explain_finds_a_paper_however_it_is_written(run_cli):
    assert run_cli("ingest", str(HF_HTML)).exit_code == 0
    for spelling in ("arxiv:2407.21783", "2407.21783", "2407.21783v2", "arXiv:2407.21783v1",
                     "https://arxiv.org/abs/2407.21783v3", "https://arxiv.org/pdf/2407.21783", " 2407.21783 "):
        result = run_cli("explain", spelling)
        assert result.exit_code == 0, (spelling, result.output)
        assert result.stdout.startswith("arxiv:2407.21783  The Llama 3 Herd of Models")
    assert run_cli("explain", "2407.99999").exit_code == 1


def test_explain_takes_dois_and_doi_urls(run_cli, db_path):
    assert run_cli("ingest", str(HF_API)).exit_code == 0
    with Store(db_path) as store, store.write_transaction() as conn:  # hand-made: one paper with a DOI
        paper = conn.execute("SELECT id FROM papers ORDER BY id LIMIT 1").fetchone()["id"]
        conn.execute("INSERT INTO identifiers (scheme, value, paper_id) VALUES ('doi', '10.1000/xyz.123', ?)", (paper,))
    for spelling in ("10.1000/XYZ.123", "doi:10.1000/xyz.123", "https://doi.org/10.1000/xyz.123"):
        result = run_cli("explain", spelling, "--json")
        assert result.exit_code == 0, (spelling, result.output)
        assert json.loads(result.stdout)["id"] == paper


def test_explain_json_carries_the_evidence(run_cli, db_path):
    assert run_cli("ingest", str(SEARCH)).exit_code == 0
    paper = rows(db_path, "SELECT paper_id FROM paper_tags WHERE tag = 'task:segmentation' ORDER BY paper_id")[0][0]
    found = json.loads(run_cli("explain", paper, "--json").stdout)
    assert found["id"] == paper and "task:segmentation" in [tag["tag"] for tag in found["tags"]]
    assert {"tag", "rule", "field", "matched"} <= set(found["tags"][0])


def test_stats_json_and_all(run_cli):
    assert run_cli("ingest", str(SEARCH)).exit_code == 0
    found = json.loads(run_cli("stats", "--json").stdout)
    assert found["papers"] == 64 and [(s["source"], s["sightings"]) for s in found["sources"]] == [("adhoc:hf-search", 64)]
    assert sum(found["tags"].values()) >= found["tagged"] > 0
    every = run_cli("stats", "--all", "--days", "0").stdout
    assert "more; --all" in run_cli("stats", "--days", "0").stdout and "more; --all" not in every
    for tag in found["tags"]:
        facet, _, name = tag.rpartition(":")
        assert (f"{name} {found['tags'][tag]}" if facet else f"{tag}: {found['tags'][tag]}") in every


def test_digest_tag_repeat_means_all_of_and_comma_any_of(run_cli, db_path):
    assert run_cli("ingest", str(SEARCH)).exit_code == 0
    day = rows(db_path, "SELECT min(listing_date) FROM sightings")[0][0]
    tagged = dict(rows(db_path, "SELECT tag, count(*) FROM paper_tags GROUP BY tag"))
    both = rows(db_path, "SELECT count(*) FROM paper_tags a JOIN paper_tags b USING (paper_id)"
                         " WHERE a.tag = 'medical-imaging' AND b.tag = 'task:segmentation'")[0][0]
    either = rows(db_path, "SELECT count(DISTINCT paper_id) FROM paper_tags"
                           " WHERE tag IN ('medical-imaging', 'task:segmentation')")[0][0]
    assert both < either  # the sample tells the two apart

    def digest_count(*tags: str) -> int:
        result = run_cli("digest", "--since", day, "--until", day, "--period", "seen", *tags)
        assert result.exit_code == 0, result.output
        return int(re.match(r"# paperfeed digest: (\d+) ", result.stdout).group(1))

    assert digest_count("--tag", "medical-imaging") == tagged["medical-imaging"]
    assert digest_count("--tag", "medical-imaging", "--tag", "task:segmentation") == both
    assert digest_count("--tag", "medical-imaging,task:segmentation") == either
    typo = run_cli("digest", "--tag", "medical-imagin")
    assert typo.exit_code == 2 and "valid tags: " in typo.stderr and "medical-imaging" in typo.stderr


def _on_a_terminal(db_path, *args, stream: str = "stdout", **env) -> bytes:
    """What the command writes to `stream` as a terminal shows it (a real pseudo-terminal)."""
    import os
    import pty

    leader, follower = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: follower}
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "--db", str(db_path), *args], cwd=ROOT,
                               env={**environment, "PYTHONPATH": str(ROOT), **env}, **streams)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


def test_colour_only_on_a_terminal_and_never_with_no_color(run_cli, db_path):
    assert run_cli("ingest", str(HF_API)).exit_code == 0
    assert b"\x1b[" in _on_a_terminal(db_path, "runs")
    assert b"\x1b[" not in _on_a_terminal(db_path, "runs", NO_COLOR="1")
    piped = subprocess.run([sys.executable, "-m", "pipeline", "--db", str(db_path), "runs"], cwd=ROOT,
                           capture_output=True, timeout=60)
    assert piped.returncode == 0 and b"\x1b[" not in piped.stdout and b"adhoc:hf-daily" in piped.stdout


def test_shell_completion_as_the_readme_documents_it(db_path):
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), "_PAPERFEED_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-m", "pipeline"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert script.returncode == 0 and "_paperfeed_completion" in script.stdout
    env.update(_PAPERFEED_COMPLETE="bash_complete", COMP_WORDS="paperfeed doc", COMP_CWORD="1")
    words = subprocess.run([sys.executable, "-m", "pipeline"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=60)
    assert "plain,doctor" in words.stdout.splitlines()
    assert '_PAPERFEED_COMPLETE=bash_source paperfeed' in (ROOT / "README.md").read_text()


def big_daily_answer(path, papers: int) -> int:
    """Hand-made: the real API sample's first item repeated under distinct arXiv ids, a file of several MiB."""
    item = json.loads(HF_API.read_bytes())[0]
    items = []
    for number in range(papers):
        copy = json.loads(json.dumps(item))
        copy["paper"]["id"] = f"2410.{10000 + number}"
        copy["paper"]["title"] = f"{item['paper']['title']} {number}"
        copy["title"] = copy["paper"]["title"]
        items.append(copy)
    path.write_text(json.dumps(items))
    return path.stat().st_size


def test_a_large_file_ingest_shows_a_bar_on_a_terminal_only(tmp_path, config_dir, db_path):
    big = tmp_path / "big.json"
    assert big_daily_answer(big, 1200) > 2 * 1024 * 1024
    shown = _on_a_terminal(db_path, "--config", str(config_dir), "ingest", str(big), stream="stderr")
    assert b"storing big.json" in shown and b"100%" in shown
    assert rows(db_path, "SELECT count(*) FROM papers") == [(1200,)]
    piped = subprocess.run([sys.executable, "-m", "pipeline", "--db", str(db_path), "--config", str(config_dir),
                            "ingest", "--force", str(big)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    # --force: the same bytes would otherwise be a not-modified run that stores nothing to show a bar for.
    assert piped.returncode == 0 and "storing" not in piped.stderr and "0 papers new" in piped.stdout


def test_waiting_out_retry_after_shows_a_bar_on_a_terminal(server, config_dir, db_path):
    answers = iter([Response("slow down", status=429, headers={"Retry-After": "1"}),
                    Response(HF_API.read_bytes(), content_type="application/json")])
    server.expect_request("/api/daily_papers").respond_with_handler(lambda request: next(answers))
    shown = _on_a_terminal(db_path, "--config", str(config_dir), "ingest", server.url_for("/api/daily_papers"),
                           stream="stderr")
    assert b"HTTP 429 Too Many Requests; retrying in 1 s" in shown and b"100%" in shown
    assert rows(db_path, "SELECT status FROM runs") == [("ok",)]


def test_quiet_prints_only_problems_and_verbose_logs_the_retry(server, config_dir, db_path, tmp_path):
    quiet = CliRunner().invoke(cli, ["-q", "--db", str(db_path), "--config", str(config_dir), "ingest", str(HF_API)])
    assert quiet.exit_code == 0 and quiet.output == ""
    server.expect_request("/down").respond_with_data("down", status=503)
    loud = subprocess.run([sys.executable, "-m", "pipeline", "-v", "--db", str(db_path), "--config", str(config_dir),
                           "ingest", server.url_for("/down")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert loud.returncode == 1
    assert "GET " in loud.stderr and "HTTP 503" in loud.stderr and "retrying in" in loud.stderr
    failed = CliRunner().invoke(cli, ["-q", "--db", str(db_path), "--config", str(config_dir),
                                      "ingest", server.url_for("/down")])
    assert failed.exit_code == 1 and failed.stdout == "" and "failed: GET" in failed.stderr
