"""A --db that is not a paperfeed database this version can use is one line and exit 2, the file untouched.

And a new database opened by many processes at once is migrated once, under
one lock, with every process ending in a recorded run.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import HF_API, ROOT
from pipeline.store import DatabaseUnusable, Store, check_database_file
from pipeline.store.dbfile import known_migrations


def test_a_text_file_as_db_is_refused_and_left_alone(tmp_path, run_cli, db_path):
    db_path.write_text("my notes, not a database\n")
    result = run_cli("ingest", str(HF_API))
    assert result.exit_code == 2
    assert result.output == f"paperfeed: {db_path}: not an SQLite database (a text file or another format?)\n"
    assert db_path.read_text() == "my notes, not a database\n"


def test_a_corrupted_database_is_refused(tmp_path, run_cli, db_path):
    with Store(db_path):
        pass
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's b-tree header and schema rows
    db_path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    result = run_cli("ingest", str(HF_API))
    assert result.exit_code == 2
    assert result.output.startswith(f"paperfeed: {db_path}: damaged or not a database: ")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_a_database_from_a_newer_paperfeed_is_refused_by_name(tmp_path, run_cli, db_path):
    with Store(db_path) as store:
        store.conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                           " VALUES ('paperfeed', '0099_from_the_future', '2030-01-01')")
    result = run_cli("ingest", str(HF_API))
    assert result.exit_code == 2
    assert result.output == (f"paperfeed: {db_path}: created by a newer paperfeed (migration 0099_from_the_future);"
                             " upgrade paperfeed to use it\n")


def test_a_folder_as_db_is_refused(tmp_path):
    with pytest.raises(DatabaseUnusable, match="not a regular file"):
        Store(tmp_path)


def test_the_thorough_check_reports_damage_the_quick_one_cannot_see(tmp_path):
    db_path = tmp_path / "papers.db"
    with Store(db_path) as store:
        store.conn.execute("PRAGMA journal_mode = DELETE")
        store.conn.execute("CREATE TABLE filler (x)")
        store.conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
    page_size = 4096
    data = bytearray(db_path.read_bytes())
    data[-page_size * 3:-page_size] = b"\x00\x01" * page_size  # pages of the filler table
    db_path.write_bytes(bytes(data))
    check_database_file(db_path)
    with pytest.raises(DatabaseUnusable, match="damaged"):
        check_database_file(db_path, thorough=True)


def test_known_migrations_are_the_shipped_ones_in_order():
    names = known_migrations()
    assert names[0] == "0001_papers_sightings_runs_tags" and names == sorted(names)


OPEN_AND_INGEST = """
import os, sys, time
from click.testing import CliRunner
from pipeline.cli import cli
db, go, file = sys.argv[1:4]
for _ in range(6000):  # everything imported, wait for the common start (at most 60 s)
    if os.path.exists(go):
        break
    time.sleep(0.01)
result = CliRunner().invoke(cli, ["--db", db, "ingest", file])
print(result.exit_code, result.output.strip().replace("\\n", " | "))
"""


def test_many_processes_opening_a_new_database_at_once_all_record_their_run(tmp_path):
    """60 at once made 11 die with `database is locked` or `table ... already exists` while migrating.

    30 here (bounded), all started together by a file appearing; without the
    schema lock some of them fail this way.
    """
    db_path, go = tmp_path / "new.db", tmp_path / "go"
    processes = [subprocess.Popen([sys.executable, "-c", OPEN_AND_INGEST, str(db_path), str(go), str(HF_API)],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(30)]
    try:
        time.sleep(5)  # let them import first, so that they really open the database together
        go.touch()
        outputs = [process.communicate(timeout=240)[0] for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    assert all(output.startswith("0 ") for output in outputs), [o for o in outputs if not o.startswith("0 ")]
    with sqlite3.connect(db_path) as conn:
        # One parses the file; the others find its bytes already stored (not-modified): every one records its run.
        assert conn.execute("SELECT count(*) FROM runs WHERE status IN ('ok', 'not-modified')").fetchone()[0] == 30
        applied = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert applied == known_migrations()


@pytest.mark.parametrize("command", [["sources"], ["schedule", "--status"]])
def test_commands_opening_the_store_themselves_also_end_in_one_line(tmp_path, command):
    text = tmp_path / "notes.db"
    text.write_text("not a database\n")
    done = subprocess.run([sys.executable, "-m", "pipeline", "--db", str(text), *command], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"paperfeed: {text}: not an SQLite database (a text file or another format?)\n"
