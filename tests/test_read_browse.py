"""`paperfeed browse`: Datasette started on 127.0.0.1 serves the database with our metadata."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from readdb import reading_db  # noqa: F401  (fixture)

from conftest import ROOT

pytest.importorskip("datasette")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return response.read().decode()


@pytest.fixture
def datasette(reading_db):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--db", str(reading_db), "browse", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get(base, "/-/versions.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("datasette did not start: " + proc.stdout.read().decode()[-2000:])
            time.sleep(0.2)
    yield base, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=15)


def test_search_facets_canned_queries_and_descriptions(datasette):
    base, _ = datasette
    search = urllib.parse.quote('"magnetic resonance" AND segmentation')
    hits = json.loads(get(base, f"/papers/papers.json?_search={search}&_shape=array"))
    assert {hit["id"] for hit in hits} == {"arxiv:2410.99001", "arxiv:2410.99005"}

    view = json.loads(get(base, "/papers/medical_imaging_papers.json"))
    modalities = {r["value"]: r["count"] for r in view["facet_results"]["modalities"]["results"]}
    assert modalities == {"mri": 3, "ct": 2, "ultrasound": 1}
    tags = json.loads(get(base, "/papers/paper_tags.json"))
    assert {r["value"]: r["count"] for r in tags["facet_results"]["tag"]["results"]}["medical-imaging"] == 6

    canned = json.loads(get(base, "/papers/mri_segmentation.json?_shape=array"))
    assert [row["title"] for row in canned] == [
        "Brain tumour segmentation in magnetic resonance imaging with a tiny U-Net",
        "Whole-body foundation model for scan analysis"]

    page = get(base, "/papers/papers")
    assert 'data-column-description="Latest listing day that showed the paper (YYYY-MM-DD)."' in page
    assert "One row per paper, merged from every listing that showed it." in page


def test_script_title_is_text_in_datasette_pages(datasette):
    base, _ = datasette
    page = get(base, "/papers/papers_with_tags?id=arxiv:2410.99002")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_stopping_browse_stops_datasette(datasette):
    base, proc = datasette
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    with pytest.raises(OSError):
        get(base, "/-/versions.json")


def test_metadata_file_for_plain_datasette(run_cli, reading_db, tmp_path):
    target = tmp_path / "metadata.json"
    result = run_cli("browse", "--metadata", str(target))
    assert result.exit_code == 0
    metadata = json.loads(target.read_text())
    tables = metadata["databases"]["papers"]["tables"]
    assert tables["papers"]["fts_table"] == "papers_fts" and tables["papers"]["searchmode"] == "raw"
    assert tables["sightings"]["columns"]["upvotes"].startswith("Hugging Face upvotes")
    assert set(metadata["databases"]["papers"]["queries"]) >= {"medical_imaging_last_7_days", "mri_segmentation",
                                                               "seen_on_hf_and_arxiv"}
    assert os.path.getsize(target) > 0
