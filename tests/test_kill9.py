"""kill -9 of a real `python -m pipeline ingest` at random moments, with a reader polling alongside.

The listing is the real API sample's four items renumbered to 3000 papers (11 MB),
so parsing and the write transaction take long enough for kills to land inside
them. Between kills the test empties the tables again, so every attempt writes the
whole listing and a kill inside its transaction would show as a partial count.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from conftest import HF_API, ROOT

ENTRIES = 3000
KILLS = 25
LISTING = ("hf-daily", "2024-10-25")


@pytest.fixture(scope="module")
def big_listing(tmp_path_factory):
    items = json.loads(HF_API.read_bytes())
    renumbered = []
    for n in range(ENTRIES):
        item = json.loads(json.dumps(items[n % len(items)]))
        item["paper"]["id"] = f"2410.{10000 + n:05d}"
        renumbered.append(item)
    path = tmp_path_factory.mktemp("big") / "big_listing.json"
    path.write_text(json.dumps(renumbered))
    return path


def start_ingest(db, listing) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PAPERFEED_SQLITE_WAL_CHECK": "off"}
    return subprocess.Popen([sys.executable, "-m", "pipeline", "--db", str(db), "ingest", str(listing)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class Reader(threading.Thread):
    """Polls the listing's sighting count on its own connection, as a person in sqlite3 would."""

    def __init__(self, db):
        super().__init__(daemon=True)
        self.db = db
        self.seen: dict[int, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not os.path.exists(self.db):
            time.sleep(0.01)
        conn = sqlite3.connect(self.db, timeout=30)
        while not self.stop.is_set():
            try:
                (count,) = conn.execute(
                    "select count(*) from sightings where source = ? and listing_date = ?", LISTING).fetchone()
            except sqlite3.OperationalError:  # tables not created yet
                time.sleep(0.01)
                continue
            self.seen[count] = self.seen.get(count, 0) + 1
            time.sleep(0.002)
        conn.close()


def content(db):
    with sqlite3.connect(db) as conn:
        papers = conn.execute("select * from papers order by id").fetchall()
        sightings = conn.execute(
            "select paper_id, source, listing_date, rank, upvotes, comments, submitter, announce_type"
            " from sightings order by paper_id").fetchall()
        return papers, sightings


def empty_tables(db):
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("delete from sightings")
    conn.execute("delete from paper_tags")
    conn.execute("delete from identifiers")
    conn.execute("delete from papers")
    conn.execute("delete from http_cache")  # else the same file again would be a not-modified run
    conn.execute("COMMIT")
    conn.close()


def wait_for_run_row(db, process, timeout=30.0) -> bool:
    """Until the child has recorded its run as running (its work starts), or has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=30) as conn:
                    if conn.execute("select 1 from runs where status = 'running' and pid = ?",
                                    (process.pid,)).fetchone():
                        return True
            except sqlite3.OperationalError:
                pass
        time.sleep(0.005)
    return False


def test_kill_9_at_random_moments_never_leaves_half_a_listing(tmp_path, big_listing):
    clean_db = tmp_path / "clean.db"
    clean = start_ingest(clean_db, big_listing)
    wait_for_run_row(clean_db, clean)
    started = time.monotonic()
    assert clean.wait(timeout=60) == 0, clean.stderr.read().decode()
    work_duration = time.monotonic() - started  # parse + write, after start-up
    expected = content(clean_db)
    assert len(expected[0]) == ENTRIES and len(expected[1]) == ENTRIES

    db = tmp_path / "killed.db"
    reader = Reader(str(db))
    reader.start()
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    outcomes = []
    for _ in range(KILLS):
        process = start_ingest(db, big_listing)
        # Start-up (imports, migrations) is dead time for this test: the random moment falls
        # within the run's parse and write, or shortly after it has committed.
        wait_for_run_row(db, process)
        time.sleep(rng.uniform(0, work_duration * 0.9))
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        outcomes.append("finished" if finished else "killed")
        if db.exists():
            with sqlite3.connect(db, timeout=30) as conn:
                try:
                    stored = conn.execute("select count(*) from papers").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0  # killed before the schema was created
            assert stored in (0, ENTRIES), f"seed {seed}: {stored} papers after a kill"
            if stored:
                empty_tables(db)
    rerun = start_ingest(db, big_listing)
    assert rerun.wait(timeout=60) == 0, rerun.stderr.read().decode()
    reader.stop.set()
    reader.join(timeout=10)

    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        statuses = [row[0] for row in conn.execute("select status from runs order by id")]
    assert set(reader.seen) <= {0, ENTRIES}, f"seed {seed}: a reader saw partial listings {reader.seen}"
    assert content(db) == expected
    # Every run that started is closed: the last one ok, killed ones interrupted (or ok if they committed first).
    assert statuses[-1] == "ok" and "running" not in statuses
    assert set(statuses) <= {"ok", "interrupted"}
    assert statuses.count("interrupted") >= KILLS // 4, f"seed {seed}: kills landed mostly outside runs: {outcomes}"
    print(f"seed {seed}: {len(statuses) - 1} killed runs recorded ({statuses.count('interrupted')} interrupted),"
          f" reader polls {sum(reader.seen.values())}: {reader.seen}")
