"""docs/schema.md is generated from the live schema, describes every column, and its example queries work."""

from __future__ import annotations

import sqlite3
from datetime import date

from readdb import add_sighting, query, reading_db  # noqa: F401  (fixture)

from conftest import ROOT
from pipeline.output.reference import load_descriptions, render_reference, stale, undescribed
from pipeline.store import Store
from pipeline.store.introspect import schema_objects


def live_objects(tmp_path):
    with Store(tmp_path / "fresh.db") as store:
        return schema_objects(store)


def test_docs_schema_md_is_current(tmp_path):
    current = render_reference(live_objects(tmp_path), load_descriptions())
    assert (ROOT / "docs" / "schema.md").read_text() == current, "run `paperfeed docs --write` and commit docs/schema.md"


def test_every_table_view_and_column_has_a_description_and_none_is_stale(tmp_path):
    objects = live_objects(tmp_path)
    descriptions = load_descriptions()
    assert undescribed(objects, descriptions) == []
    assert stale(objects, descriptions) == []
    names = {obj.name for obj in objects}
    assert {"papers", "sightings", "runs", "paper_tags", "papers_with_tags", "medical_imaging_papers",
            "latest_sightings", "papers_fts"} <= names
    assert not any(name.startswith("papers_fts_") for name in names)  # FTS5 internals stay out


def test_a_new_column_without_description_is_reported(tmp_path):
    path = tmp_path / "changed.db"
    with Store(path) as store:
        store.conn.execute("ALTER TABLE papers ADD COLUMN conference_room TEXT")
        objects = schema_objects(store)
    assert undescribed(objects, load_descriptions()) == ["papers.conference_room"]
    assert "`conference_room`" in render_reference(objects, load_descriptions())


def test_docs_command_check_and_print(run_cli):
    assert run_cli("docs", "--check").exit_code == 0
    printed = run_cli("docs")
    assert printed.exit_code == 0 and printed.stdout == (ROOT / "docs" / "schema.md").read_text()


def test_example_queries_answer_their_questions(reading_db):
    add_sighting(reading_db, "arxiv:2410.99001", "arxiv-eess-iv", "2024-10-29")
    today = date.today().isoformat()
    with sqlite3.connect(reading_db) as conn:  # make the hand-made day "this week"
        conn.execute("update papers set last_seen_at = ?, first_listed_at = ? where last_seen_at = '2024-10-28'",
                     (today, today))
    conn.close()
    results = {}
    with sqlite3.connect(reading_db) as conn:
        for example in load_descriptions().queries:
            results[example.name] = conn.execute(example.sql, example.params).fetchall()
    conn.close()
    recent = results["medical_imaging_last_7_days"]
    assert [row[1] for row in recent] == [12, 9, 5, 4, 3, 1]  # all six medical papers of this week, by upvotes
    assert [row[0] for row in results["mri_segmentation"]] == [
        "Brain tumour segmentation in magnetic resonance imaging with a tiny U-Net",
        "Whole-body foundation model for scan analysis"]
    [(title, first_listed, first_sighting, sources)] = results["seen_on_hf_and_arxiv"]
    assert title.startswith("Brain tumour") and first_listed == today and first_sighting == "2024-10-28"
    assert sorted(sources.split(",")) == ["arxiv-eess-iv", "hf-daily"]
    assert [row[0] for row in results["full_text_search"]][0].startswith("Brain tumour")
    assert ("medical-imaging", 6) in results["tag_counts"]
    assert results["failed_runs"] == []
    assert query(reading_db, "select count(*) from papers")[0][0] == 24
