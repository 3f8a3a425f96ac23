"""`paperfeed search`: FTS5 syntax over title, abstract and authors, ranked, filtered, with tags."""

from __future__ import annotations

import csv
import io
import json

from readdb import reading_db, query  # noqa: F401  (fixture)


def search_json(run_cli, *args):
    result = run_cli("search", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_phrase_and_word_query_finds_exactly_the_mr_segmentation_papers(run_cli, reading_db):
    hits = search_json(run_cli, '"magnetic resonance" AND segmentation')
    # 99001 (title) and 99005 (abstract only); not 99003 (no segmentation) nor 99004 ("resonance ... magnetic").
    assert [hit["id"] for hit in hits] == ["arxiv:2410.99001", "arxiv:2410.99005"]
    best = hits[0]
    assert best["title"] == "Brain tumour segmentation in magnetic resonance imaging with a tiny U-Net"
    assert best["tags"] == ["anatomy:brain", "medical-imaging", "modality:mri", "task:segmentation"]
    assert best["authors"] == ["Ana Ruiz", "Bo Chen"] and best["upvotes"] == 12 and best["sources"] == ["hf-daily"]
    assert hits[0]["score"] < hits[1]["score"]  # bm25: lower is better, title words weigh most


def test_or_not_prefix_and_author_queries(run_cli, reading_db):
    either = {h["id"] for h in search_json(run_cli, "spectroscopy OR registration")}
    assert either == {"arxiv:2410.99003", "arxiv:2410.99006"}
    not_mr = {h["id"] for h in search_json(run_cli, "segmentation NOT magnetic")}
    assert "arxiv:2407.21721" in not_mr and "arxiv:2410.99001" not in not_mr and "arxiv:2410.99004" not in not_mr
    assert [h["id"] for h in search_json(run_cli, "synchrotr*")] == ["arxiv:2410.99004"]
    assert [h["id"] for h in search_json(run_cli, "authors:ruiz")] == ["arxiv:2410.99001"]
    # A real sample: the Llama 3 paper lists 533 authors; any of them finds it.
    assert "arxiv:2407.21783" in {h["id"] for h in search_json(run_cli, "authors:touvron")}


def test_filters_by_tag_source_and_day(run_cli, reading_db):
    assert {h["id"] for h in search_json(run_cli, "segmentation", "--tag", "medical-imaging")} == {
        "arxiv:2410.99001", "arxiv:2410.99005"}
    any_of = search_json(run_cli, "segmentation OR spectroscopy", "--tag", "modality:ct,anatomy:brain")
    assert {h["id"] for h in any_of} == {"arxiv:2410.99001", "arxiv:2410.99003", "arxiv:2410.99005"}
    assert {h["id"] for h in search_json(run_cli, "segmentation", "--since", "2024-10-01")} == {
        "arxiv:2410.99001", "arxiv:2410.99004", "arxiv:2410.99005"}
    # The 2024-08-01 page holds two real segmentation papers.
    assert {h["id"] for h in search_json(run_cli, "segmentation", "--until", "2024-08-31")} == {
        "arxiv:2407.21721", "arxiv:2407.20229"}
    assert search_json(run_cli, "segmentation", "--source", "arxiv-*") == []
    assert len(search_json(run_cli, "segmentation", "--source", "hf-*")) == 5


def test_limit_and_recent_order(run_cli, reading_db):
    assert len(search_json(run_cli, "segmentation", "--limit", "2")) == 2
    recent = search_json(run_cli, "segmentation", "--order", "recent")
    # Most recently added first: the hand-made day was ingested last, the 2024-08-01 page first.
    assert {h["id"] for h in recent[-2:]} == {"arxiv:2407.21721", "arxiv:2407.20229"}
    assert {h["id"] for h in recent} == {h["id"] for h in search_json(run_cli, "segmentation")}


def test_table_and_csv_show_tags(run_cli, reading_db):
    table = run_cli("search", '"magnetic resonance" AND segmentation')
    assert table.exit_code == 0
    assert "2410.99001" in table.stdout and "tags: anatomy:brain, medical-imaging, modality:mri" in table.stdout
    assert "2 papers" in table.stderr
    rows = list(csv.DictReader(io.StringIO(run_cli("search", "spectroscopy", "--format", "csv").stdout)))
    assert [r["arxiv_id"] for r in rows] == ["2410.99003"]
    assert rows[0]["tags"] == "anatomy:brain; medical-imaging; modality:mri" and float(rows[0]["score"]) < 0


def test_bad_query_syntax_is_one_line_and_exit_2(run_cli, reading_db):
    for bad in ('"magnetic resonance" AND', '"unterminated', "nosuchcolumn:x", "   "):
        result = run_cli("search", bad)
        assert result.exit_code == 2, (bad, result.output)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("paperfeed: ")
        assert "Traceback" not in result.output


def test_injection_shaped_query_is_only_a_query(run_cli, reading_db):
    result = run_cli("search", '"\'); DROP TABLE papers;--"')
    assert result.exit_code == 0
    assert query(reading_db, "select count(*) from papers")[0][0] == 24
