"""Ingesting the real Hugging Face samples end to end through the CLI, into a real SQLite file."""

from __future__ import annotations

import sqlite3

from conftest import FIXTURES, HF_API, HF_HTML

OVERLAP = FIXTURES / "hf" / "edge" / "api_daily_overlap_2407.21783.json"


def rows(db_path, sql):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_html_sample_stores_13_papers_with_ids_titles_upvotes(run_cli, db_path):
    result = run_cli("ingest", str(HF_HTML))
    assert result.exit_code == 0, result.output
    assert "13 entries parsed, 13 papers new, 0 updated" in result.output
    papers = rows(db_path, "select arxiv_id, title from papers order by arxiv_id")
    assert len(papers) == 13
    assert ("2407.21783", "The Llama 3 Herd of Models") in papers
    upvotes = dict(rows(db_path, "select paper_id, upvotes from sightings where source = 'adhoc:hf-daily' and listing_date = '2024-08-01'"))
    assert upvotes["arxiv:2407.21783"] == 94 and upvotes["arxiv:2404.01300"] == 3
    # The query the README promises works as written.
    newest = rows(db_path, "select arxiv_id, title from papers order by published_at desc")
    assert newest[0][0] == "2407.21783"


def test_ingesting_the_same_page_twice_changes_no_paper_or_sighting_row(run_cli, db_path):
    assert run_cli("ingest", str(HF_HTML)).exit_code == 0
    before = rows(db_path, "select * from papers order by id"), rows(db_path, "select * from sightings order by paper_id")
    second = run_cli("ingest", "--force", str(HF_HTML))  # parsed again, not skipped by its hash
    assert second.exit_code == 0 and "0 papers new, 0 updated" in second.output
    after = rows(db_path, "select * from papers order by id"), rows(db_path, "select * from sightings order by paper_id")
    assert before == after
    assert rows(db_path, "select count(*) from papers")[0][0] == 13
    assert rows(db_path, "select count(*) from sightings")[0][0] == 13
    assert rows(db_path, "select count(*), min(status), max(status) from runs") == [(2, "ok", "ok")]


def test_both_samples_give_17_papers(run_cli, db_path):
    assert run_cli("ingest", str(HF_HTML)).exit_code == 0
    result = run_cli("ingest", str(HF_API))
    assert result.exit_code == 0 and "4 papers new" in result.output
    assert rows(db_path, "select count(*) from papers")[0][0] == 17
    assert rows(db_path, "select count(*) from sightings")[0][0] == 17


def test_api_item_and_html_card_of_one_paper_are_one_paper_with_a_sighting_per_listing(run_cli, db_path):
    assert run_cli("ingest", str(HF_HTML)).exit_code == 0
    result = run_cli("ingest", str(OVERLAP))
    assert result.exit_code == 0 and "0 papers new, 1 updated" in result.output
    assert rows(db_path, "select count(*) from papers where arxiv_id = '2407.21783'")[0][0] == 1
    sightings = rows(db_path, "select listing_date, upvotes from sightings where paper_id = 'arxiv:2407.21783' order by 1")
    assert sightings == [("2024-08-01", 94), ("2024-10-25", 41)]
    first, last = rows(db_path, "select first_seen_at, last_seen_at from papers where id = 'arxiv:2407.21783'")[0]
    assert (first, last) == ("2024-08-01", "2024-10-25")


def test_merge_keeps_the_longer_author_list_in_either_order(run_cli, db_path, tmp_path):
    # The overlap item carries 5 authors; the real page lists all 533: the complete list wins either way.
    assert run_cli("ingest", str(OVERLAP)).exit_code == 0
    assert run_cli("ingest", str(HF_HTML)).exit_code == 0
    one_way = rows(db_path, "select title, abstract, authors, published_at from papers where arxiv_id = '2407.21783'")
    other_db = tmp_path / "other.db"
    from click.testing import CliRunner

    from pipeline.cli import cli

    for source in (HF_HTML, OVERLAP):
        assert CliRunner().invoke(cli, ["--db", str(other_db), "ingest", str(source)]).exit_code == 0
    other_way = rows(other_db, "select title, abstract, authors, published_at from papers where arxiv_id = '2407.21783'")
    assert one_way == other_way
    assert one_way[0][2].count('", "') == 532


def test_malformed_page_is_a_failed_run_with_one_line_and_nothing_written(run_cli, db_path, tmp_path):
    broken = tmp_path / "broken.html"
    raw = HF_HTML.read_bytes()
    broken.write_bytes(raw.replace(b'data-target="DailyPapers"', b'data-target="X"').replace(b"<article", b"<div"))
    result = run_cli("ingest", str(broken))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert str(broken) in message and "no DailyPapers data found: layout change?" in message
    assert rows(db_path, "select status, error like '%layout change%' from runs") == [("failed", 1)]
    assert rows(db_path, "select count(*) from papers")[0][0] == 0


def test_unknown_target_is_a_usage_error(run_cli):
    result = run_cli("ingest", "no-such-source-or-file")
    assert result.exit_code == 2
    assert "not a configured source" in result.stderr and "Traceback" not in result.output


def test_broken_config_is_one_line_naming_the_file(run_cli, config_dir):
    (config_dir / "sources.toml").write_text('[[source]]\nname = "x"\nkind = "nope"\n')
    result = run_cli("ingest", "x")
    assert result.exit_code == 2
    assert "sources.toml: source 'x': unknown kind 'nope'" in result.stderr
