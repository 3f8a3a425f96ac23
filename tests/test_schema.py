"""The schema is a public interface: db/schema.sql must match what the migrations build."""

from __future__ import annotations

import sqlite3

from conftest import ROOT
from pipeline.store import Store, schema_sql


def test_db_schema_sql_is_current(tmp_path):
    with Store(tmp_path / "fresh.db") as store:
        current = schema_sql(store)
    assert (ROOT / "db" / "schema.sql").read_text() == current, "run `paperfeed schema --write` and commit db/schema.sql"


def test_migrations_apply_once_and_reopen_cleanly(tmp_path):
    path = tmp_path / "papers.db"
    Store(path).close()
    Store(path).close()
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute("select name from _sqlite_migrations order by id")]
        assert names and len(names) == len(set(names))
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
