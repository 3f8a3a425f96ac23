"""The reading views answer the common questions, and the FTS index follows every write to `papers`."""

from __future__ import annotations

import json
import sqlite3

from readdb import MEDICAL_IDS, REVISED, add_sighting, query, reading_db  # noqa: F401  (fixture)

from sqlite_utils import Database

from pipeline.store import Store
from pipeline.store.dbfile import load_migrations
from pipeline.store.reading import fts_in_sync, search


def fts_ids(db_path, match):
    return sorted(r[0] for r in query(
        db_path, "select p.id from papers_fts f join papers p on p.rowid = f.rowid where papers_fts match ?", (match,)))


def test_medical_imaging_papers_view_aggregates_modality_anatomy_task(reading_db):
    rows = {r[0]: r[1:] for r in query(
        reading_db, "select id, modalities, anatomies, tasks, upvotes, matched from medical_imaging_papers")}
    assert set(rows) == MEDICAL_IDS
    assert rows["arxiv:2410.99001"] == ('["mri"]', '["brain"]', '["segmentation"]', 12, "magnetic resonance images")
    assert json.loads(rows["arxiv:2410.99005"][0]) == ["ct", "mri"]
    assert rows["arxiv:2410.99006"][:3] == ("[]", "[]", '["registration"]')


def test_papers_with_tags_has_every_paper_once(reading_db):
    rows = dict(query(reading_db, "select id, tags from papers_with_tags"))
    assert len(rows) == 24 == query(reading_db, "select count(*) from papers")[0][0]
    assert json.loads(rows["arxiv:2407.21721"]) == ["task:segmentation"]
    assert rows["arxiv:2407.21783"] == "[]"


def test_latest_sightings_picks_the_latest_day_per_paper(reading_db, run_cli):
    add_sighting(reading_db, "arxiv:2410.99001", "arxiv-eess-iv", "2024-10-29")
    assert run_cli("ingest", str(REVISED)).exit_code == 0
    latest = {r[0]: r[1:] for r in query(reading_db, "select paper_id, source, listing_date, upvotes from latest_sightings")}
    assert len(latest) == 24
    assert latest["arxiv:2410.99001"] == ("arxiv-eess-iv", "2024-10-29", None)
    assert latest["arxiv:2410.99004"] == ("hf-daily", "2024-10-29", 6)
    assert latest["arxiv:2407.21783"] == ("hf-daily", "2024-08-01", 94)


def test_fts_follows_an_update_through_the_real_ingest_path(reading_db, run_cli):
    assert fts_ids(reading_db, "synchrotron") == ["arxiv:2410.99004"]
    result = run_cli("ingest", str(REVISED))  # a longer abstract for 99004: merge replaces it by an UPDATE
    assert result.exit_code == 0 and "1 updated" in result.output
    assert fts_ids(reading_db, "synchrotron") == []
    assert fts_ids(reading_db, "cyclotron") == ["arxiv:2410.99004"]
    with Store(reading_db) as store:
        assert fts_in_sync(store)


def test_fts_follows_delete_and_rowid_stays_joined(reading_db):
    with sqlite3.connect(reading_db) as conn:
        conn.execute("delete from paper_tags where paper_id = 'arxiv:2410.99003'")
        conn.execute("delete from sightings where paper_id = 'arxiv:2410.99003'")
        conn.execute("delete from papers where id = 'arxiv:2410.99003'")
    conn.execute("vacuum")  # rowids of the remaining papers must survive it, or the index points elsewhere
    conn.close()
    assert fts_ids(reading_db, "spectroscopy") == []
    assert fts_ids(reading_db, '"magnetic resonance"') == ["arxiv:2410.99001", "arxiv:2410.99005"]
    with Store(reading_db) as store:
        assert fts_in_sync(store)


def test_fts_rebuild_repairs_an_index_that_drifted(reading_db, run_cli):
    with sqlite3.connect(reading_db) as conn:
        conn.execute("insert into papers_fts (papers_fts) values ('delete-all')")
    conn.close()
    assert fts_ids(reading_db, "segmentation") == []
    check = run_cli("fts-rebuild", "--check")
    assert check.exit_code == 1 and "out of step" in check.stderr
    rebuilt = run_cli("fts-rebuild")
    assert rebuilt.exit_code == 0 and "24 papers" in rebuilt.stdout
    assert run_cli("fts-rebuild", "--check").exit_code == 0
    assert "arxiv:2410.99001" in fts_ids(reading_db, "segmentation")


def test_upgrading_an_existing_database_indexes_the_papers_it_already_has(tmp_path):
    path = tmp_path / "old.db"
    db = Database(str(path))
    load_migrations().apply(db, stop_before="0003_reading_views_and_full_text_search")
    db.execute("insert into papers (id, arxiv_id, title, abstract, first_seen_at, last_seen_at)"
               " values ('arxiv:2401.00001', '2401.00001', 'Knee cartilage mapping', 'Quantitative MRI of the knee.',"
               " '2024-01-02', '2024-01-02')")
    db.conn.commit()
    db.close()
    with Store(path) as store:  # opening migrates to 0003
        assert [p["id"] for p in search(store, "cartilage AND knee")] == ["arxiv:2401.00001"]
        assert fts_in_sync(store)
