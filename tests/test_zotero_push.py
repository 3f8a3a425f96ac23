"""`paperfeed zotero push` against a local HTTP server standing in for the Zotero Web API."""

from __future__ import annotations

import json

import pytest
from werkzeug import Response

from conftest import FIXTURES

pytest.importorskip("pyzotero")

MEDICAL = FIXTURES / "read" / "api_daily_2024-10-28_medical.json"
ARXIV = FIXTURES / "deliver" / "arxiv_rss_eess.IV_2024-10-30_handmade.xml"
KEY = "P9NiFoyLeZu2bZNvvuQPDWsd"


class Library:
    """Answers item creation as the Web API does: a key per created item, `failed` for refused ones."""

    def __init__(self, refuse_titles=()):
        self.created = []
        self.refuse_titles = set(refuse_titles)

    def __call__(self, request):
        items = json.loads(request.get_data())
        success, failed = {}, {}
        for index, item in enumerate(items):
            if item["title"] in self.refuse_titles:
                failed[str(index)] = {"key": "", "code": 400, "message": "title refused for the test"}
                continue
            key = f"K{len(self.created):07d}"
            self.created.append((key, item, request.headers.get("Authorization")))
            success[str(index)] = key
        body = {"successful": {i: {"key": k} for i, k in success.items()}, "success": success,
                "unchanged": {}, "failed": failed}
        return Response(json.dumps(body), status=200, content_type="application/json",
                        headers={"Last-Modified-Version": "42"})


def test_push_creates_items_once_with_tags_and_the_collection(run_cli, server, monkeypatch):
    monkeypatch.setenv("ZOTERO_API_KEY", KEY)
    library = Library(refuse_titles={"Ultrasound liver lesion detection, revised"})
    server.expect_request("/groups/4711/items", method="POST").respond_with_handler(library)
    for path in (MEDICAL, ARXIV):
        assert run_cli("ingest", str(path)).exit_code == 0
    push = ("zotero", "push", "--tag", "medical-imaging", "--library", "groups/4711", "--collection", "ABCD2345",
            "--base-url", f"http://127.0.0.1:{server.port}")
    first = run_cli(*push)
    assert first.exit_code == 1  # one item was refused
    assert "6 items created, 0 already there, 1 refused" in first.stdout
    assert {auth for _, _, auth in library.created} == {f"Bearer {KEY}"}
    items = {item["title"]: item for _, item, _ in library.created}
    knee = items["Fast T₁ mapping of the knee with self-supervised MRI reconstruction"]
    assert knee["itemType"] == "preprint" and knee["archiveID"] == "arXiv:2410.99020"
    assert knee["collections"] == ["ABCD2345"] and {"tag": "modality:mri"} in knee["tags"]
    assert "Code: https://github.com/example-lab/knee-t1map" in knee["extra"]
    assert knee["creators"][0] == {"creatorType": "author", "firstName": "Eva", "lastName": "Novak"}
    # Again: only the refused item is tried (and now accepted); nothing is created twice.
    library.refuse_titles.clear()
    second = run_cli(*push)
    assert second.exit_code == 0, second.output
    assert "1 items created, 6 already there" in second.stdout
    assert len(library.created) == 7 and len({item["title"] for _, item, _ in library.created}) == 7


def test_push_without_a_key_says_where_it_belongs(run_cli, monkeypatch):
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
    result = run_cli("zotero", "push", "--library", "users/1")
    assert result.exit_code == 2 and "ZOTERO_API_KEY" in result.stderr and "Traceback" not in result.output
    bad = run_cli("zotero", "push", "--library", "people/1")
    assert bad.exit_code == 2 and "expected users/<id> or groups/<id>" in bad.stderr


def test_the_python_api_pushes_the_same_items(db_path, config_dir, server, monkeypatch):
    import pipeline

    monkeypatch.setenv("ZOTERO_API_KEY", KEY)
    library = Library()
    server.expect_request("/users/99/items", method="POST").respond_with_handler(library)
    with pipeline.open(db_path, config_dir) as feed:
        feed.ingest(ARXIV)
        outcome = feed.zotero_push(feed.papers(tag="modality:mri"), library="users/99",
                                   base_url=f"http://127.0.0.1:{server.port}")
        assert (outcome.pushed, outcome.skipped) == (2, 0)
        again = feed.zotero_push(feed.papers(tag="modality:mri"), library="users/99",
                                 base_url=f"http://127.0.0.1:{server.port}")
        assert (again.pushed, again.skipped) == (0, 2)
    assert sorted(item["archiveID"] for _, item, _ in library.created) == ["arXiv:2410.99001", "arXiv:2410.99020"]
