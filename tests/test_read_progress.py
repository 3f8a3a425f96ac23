"""Long exports show a progress bar when stderr is a terminal, and only a one-line summary otherwise."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys

from conftest import ROOT
from pipeline.store import Store

PAPERS = 1500  # above the size at which a bar is worth drawing


def big_db(path):
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "insert into papers (id, title, first_seen_at, last_seen_at) values (?, ?, '2024-01-01', '2024-01-01')",
            [(f"title:bulk-{n}", f"Bulk paper {n}") for n in range(PAPERS)],
        )
    conn.close()
    return path


def export(db, out, stderr):
    return subprocess.run([sys.executable, "-m", "pipeline", "--db", str(db), "export", "--format", "jsonl",
                           "-o", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, timeout=60)


def test_progress_bar_on_a_terminal(tmp_path):
    db, out = big_db(tmp_path / "big.db"), tmp_path / "out.jsonl"
    leader, follower = pty.openpty()
    try:
        result = export(db, out, follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    shown = b"".join(chunks).decode()
    assert result.returncode == 0
    assert f"exporting {PAPERS} papers" in shown and "100%" in shown
    assert f"wrote {PAPERS} papers" in shown
    assert len(out.read_text().splitlines()) == PAPERS


def test_plain_output_when_not_a_terminal(tmp_path):
    db, out = big_db(tmp_path / "big.db"), tmp_path / "out.jsonl"
    result = export(db, out, subprocess.PIPE)
    assert result.returncode == 0
    assert result.stderr.decode() == f"wrote {PAPERS} papers to {out}\n"
