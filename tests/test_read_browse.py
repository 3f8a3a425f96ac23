"""`paperfeed browse`: Datasette on 127.0.0.1 with paperfeed's plugin: metadata, search, readable tables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from browsing import browse_server, free_port, get
from fieldwords import field_words_db  # noqa: F401  (fixture)
from readdb import reading_db  # noqa: F401  (fixture)

from conftest import ROOT

pytest.importorskip("datasette")


@pytest.fixture
def datasette(reading_db):
    with browse_server(reading_db) as (base, proc):
        yield base, proc


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


def test_search_box_in_the_fields_words(field_words_db):
    with browse_server(field_words_db) as (base, _):
        hits = json.loads(get(base, "/papers/papers.json?_search=U-Net&_shape=array&_size=100"))
        assert {"arxiv:2410.99001", "arxiv:2410.99010"} <= {hit["id"] for hit in hits} and len(hits) == 5
        view = json.loads(get(base, "/papers/medical_imaging_papers.json?_search=T1-weighted&_shape=array"))
        assert [row["id"] for row in view] == ["arxiv:2410.99010"]
        phrase = urllib.parse.quote('"T1-weighted" AND segmentation')
        ranked = json.loads(get(base, f"/papers/search.json?q={phrase}&_shape=array"))
        assert [row["id"] for row in ranked] == ["arxiv:2410.99010"]
        # A plain search box goes to the best-match-first query; the date order is the table page.
        with urllib.request.urlopen(base + "/papers/papers?_search=X-ray", timeout=10) as response:
            assert response.url == base + "/papers/search?q=X-ray&from=papers"
            page = response.read().decode()
        assert "Pneumonia screening on chest X ray films" in page
        assert "_search=X-ray&amp;_sort_desc=last_seen_at" in page
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(base, "/papers/papers?_search=segmentation+-video")
        assert refused.value.code == 400
        assert "write NOT video after the words to keep" in refused.value.read().decode()


def test_table_pages_read_well(field_words_db):
    with browse_server(field_words_db) as (base, _):
        index = get(base, "/")
        for view in ("medical_imaging_papers", "papers_with_tags", "latest_sightings"):
            assert f'class="view-link" href="/papers/{view}"' in index
        assert 'href="/-/reading?db=papers"' in index
        table = get(base, "/papers/papers?_sort_desc=last_seen_at&id=arxiv:2410.99010")
        assert '<a class="paper-title" href="https://arxiv.org/abs/2410.99010">' in table
        assert "About this table: what each column means" in table
        assert "<dd>Canonical key: <code>arxiv:2408.00714</code>" in table  # backticks become code
        css = get(base, "/-/static-plugins/paperfeed/paperfeed.css")
        assert "dl.column-descriptions { display: none; }" in css
        long_abstract = get(base, "/papers/papers?id=" + urllib.parse.quote(
            "title:chestx ray8 hospital scale chest x ray database and benchmarks on weakly supervised"
            " classification and localization of common thorax diseases|"))
        assert '<details class="long-text"><summary>The chest X-ray is one of the most' in long_abstract
        # A paper no source gave a page for links to its own row.
        assert '<a class="paper-title" href="/papers/papers/title%3Achestx' in long_abstract
        view = json.loads(get(base, "/papers/medical_imaging_papers.json"))
        assert "first_seen_at" in view["facet_results"]


def test_plain_datasette_loads_the_plugin(field_words_db):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(field_words_db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = get(f"http://127.0.0.1:{port}", "/-/reading?since=2024-10-30&until=2024-10-30")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "datasette did not start"
                time.sleep(0.2)
        assert page.count('<article class="card"') == 3
    finally:
        proc.terminate()
        proc.wait(timeout=15)
