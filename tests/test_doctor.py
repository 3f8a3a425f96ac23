"""`paperfeed doctor` on real files: a sound installation, then each problem it must name with its remedy."""

from __future__ import annotations

import json
import os
import sqlite3
import time

import pytest

from conftest import HF_API
from pipeline.run.locking import lock_path
from scheduling import source, write_sources


@pytest.fixture
def sound(run_cli, db_path, config_dir):
    """Two local sources (a host name that resolves on any machine: localhost) and a database with papers."""
    write_sources(config_dir, source("hf-local", "hf-daily", base_url="http://localhost:9"),
                  source("feed-local", "feed", url="http://localhost:9/feed.xml"))
    assert run_cli("ingest", str(HF_API)).exit_code == 0
    return run_cli


def findings(result) -> dict[str, dict]:
    return {finding["what"]: finding for finding in json.loads(result.stdout)}


def test_a_sound_installation_has_no_problems(sound):
    result = sound("doctor")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "no problems"
    found = findings(sound("doctor", "--json"))
    assert {"config", "rules", "sqlite", "database", "integrity", "schema", "full-text index",
            "host localhost"} <= set(found)
    assert all(finding["ok"] for finding in found.values())
    assert "(hf-local, feed-local)" in found["host localhost"]["found"]
    assert found["schema"]["found"].startswith("at the latest migration")


def test_each_problem_is_named_with_what_to_do(sound, db_path, config_dir):
    with (config_dir / "sources.toml").open("a") as handle:  # .invalid never resolves (RFC 6761)
        handle.write(source("gone", "feed", url="http://paperfeed-test.invalid/feed.xml"))
    with sqlite3.connect(db_path) as conn:  # the index no longer follows one title change
        conn.execute("DROP TRIGGER papers_fts_after_update")
        conn.execute("UPDATE papers SET title = 'a title the index never saw'")
    (db_path.parent / "pace-huggingface.co").write_text(f"{time.time():.6f} {time.time() + 999999999:.6f}\n")
    os.symlink(db_path.parent / "elsewhere", lock_path(db_path, "hf-local"))
    result = sound("doctor")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    found = findings(sound("doctor", "--json"))
    assert not found["host paperfeed-test.invalid"]["ok"] and "(gone)" in found["host paperfeed-test.invalid"]["found"]
    assert found["host localhost"]["ok"]
    assert not found["full-text index"]["ok"] and "fts-rebuild" in found["full-text index"]["remedy"]
    assert not found["pace huggingface.co"]["ok"] and "beyond [http] max_wait" in found["pace huggingface.co"]["found"]
    assert not found["lock hf-local"]["ok"] and "symlink" in found["lock hf-local"]["found"]
    problems = [line for line in result.stdout.splitlines() if line.startswith("PROBLEM")]
    assert len(problems) == 4
    assert result.stdout.count("-> ") == 4  # a remedy under each


def test_a_database_from_a_newer_paperfeed_and_a_missing_one(sound, db_path, tmp_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                     " VALUES ('paperfeed', '0099_from_the_future', '2030-01-01')")
    found = findings(sound("doctor", "--json"))
    newer = [finding for finding in found.values() if "created by a newer paperfeed" in finding["found"]]
    assert len(newer) == 1 and not newer[0]["ok"] and "0099_from_the_future" in newer[0]["found"]
    missing = sound("doctor", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 1 and "no database at" in missing.stdout and not (tmp_path / "none.db").exists()


def test_broken_configuration_and_rules_are_findings_not_crashes(sound, config_dir):
    (config_dir / "tags.toml").write_text("[[tag]]\nname = 3\n")
    result = sound("doctor", "--json")
    assert result.exit_code == 1
    assert not findings(result)["rules"]["ok"]
    (config_dir / "sources.toml").write_text("[[source]]\nname = 'x'\nkind = 'no-such-kind'\n")
    found = findings(sound("doctor", "--json"))
    assert not found["config"]["ok"] and "no-such-kind" in found["config"]["found"]
    assert found["database"]["ok"]  # the rest is still checked


def test_the_sqlite_finding_follows_the_linked_library(sound, monkeypatch):
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 40, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.40.1")
    monkeypatch.delenv("PAPERFEED_SQLITE_WAL_CHECK")
    found = findings(sound("doctor", "--json"))["sqlite"]
    assert not found["ok"] and "WAL-reset bug" in found["found"] and "3.51.3" in found["remedy"]
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 51, 3))
    assert findings(sound("doctor", "--json"))["sqlite"]["ok"]
