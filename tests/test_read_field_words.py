"""Searching in the field's words: hyphenated and dotted terms, their spelling variants, and FTS5
syntax still working, through `paperfeed search`, the Python API and the query rewrite itself."""

from __future__ import annotations

import json
import re

import pytest
from fieldwords import CHEST_XRAY8, field_words_db  # noqa: F401  (fixture)

from pipeline.store import Store
from pipeline.store.fts_query import SearchSyntaxError, to_fts5
from pipeline.store.reading import PaperFilter, search


def ids(run_cli, *args) -> list[str]:
    result = run_cli("search", *args, "--format", "json", "--limit", "100")
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.stdout)]


def test_x_ray_finds_every_spelling(run_cli, field_words_db):
    found = ids(run_cli, "X-ray")
    assert CHEST_XRAY8 in {i.split("|")[0] + "|" for i in found}  # real: "Chest X-ray Database"
    assert "arxiv:2410.99011" in found  # hand-made: written "X ray" and "Xray" only
    assert len(found) >= 10  # the real search page holds many chest X-ray papers
    # Each spelling alone finds the hand-made paper, so X-ray really covered all three.
    assert "arxiv:2410.99011" in ids(run_cli, "Xray") and "arxiv:2410.99011" in ids(run_cli, '"X ray"')
    # FTS5 syntax still applies around the rewritten word.
    without_xray = ids(run_cli, '"X-ray" NOT Xray')
    assert "arxiv:2410.99011" not in without_xray and len(without_xray) >= 10


def test_u_net_with_a_tag_and_the_t1_weighted_phrase(run_cli, field_words_db):
    unet = ids(run_cli, "U-Net")
    assert {"arxiv:2410.99001", "arxiv:2410.99010"} <= set(unet)
    assert any(i.startswith("title:a deep learning model for coronary artery segmentation") for i in unet)  # real
    assert ids(run_cli, "U-Net", "--tag", "modality:mri") == ["arxiv:2410.99010", "arxiv:2410.99001"]
    assert ids(run_cli, '"T1-weighted" AND segmentation') == ["arxiv:2410.99010"]
    assert ids(run_cli, "T1-weighted") == ["arxiv:2410.99010"]


def test_other_field_terms(run_cli, field_words_db):
    assert ids(run_cli, "18F-FDG") == ["arxiv:2410.99012"]
    assert ids(run_cli, "PET/CT") == ["arxiv:2410.99012"]
    assert ids(run_cli, "COVID-19") == ["arxiv:2410.99011"]
    nnunet = ids(run_cli, "nnU-Net")
    assert "arxiv:2410.99012" in nnunet and any(i.startswith("title:totalsegmentator") for i in nnunet)
    assert ids(run_cli, "title:T1-weighted") == ["arxiv:2410.99010"]
    assert ids(run_cli, "hippocamp*") == ["arxiv:2410.99010"]
    assert set(ids(run_cli, "18F-FDG OR T1-weighted")) == {"arxiv:2410.99010", "arxiv:2410.99012"}


def test_python_api_search_takes_the_same_words(field_words_db):
    with Store(field_words_db) as store:
        hits = search(store, "U-Net", PaperFilter(tags=(("modality:mri",),)))
    assert [hit["id"] for hit in hits] == ["arxiv:2410.99010", "arxiv:2410.99001"]


@pytest.mark.parametrize("query, expected", [
    ("X-ray", '("X ray" OR Xray)'),
    ("U-Net*", '("U Net"* OR UNet*)'),
    ("X-ray chest", '("X ray" OR Xray) AND chest'),
    ("title:U-Net", 'title:("U Net" OR UNet)'),
    ('"T1-weighted" AND segmentation', '"T1-weighted" AND segmentation'),
    ("segmentation NOT video", "segmentation NOT video"),
    ("(X-ray OR CT) lung", '(("X ray" OR Xray) OR CT) AND lung'),
    ("NEAR(brain tumour, 3)", "NEAR(brain tumour, 3)"),
])
def test_rewrite_keeps_fts5_syntax_and_is_idempotent(query, expected):
    assert to_fts5(query) == expected
    assert to_fts5(expected) == expected


@pytest.mark.parametrize("query, advice", [
    ('"unclosed phrase', 'close the phrase: "unclosed phrase"'),
    ("segmentation AND", "add a word after it"),
    ("OR mri", "needs a word on each side"),
    ("segmentation -video", "write NOT video"),
    ("author:ruiz", "columns to search are title, abstract, authors"),
    ("(mri OR ct", "a parenthesis is not closed"),
    ("/ ;", "has no words to search for"),
])
def test_unsearchable_queries_say_what_to_write(run_cli, field_words_db, query, advice):
    with pytest.raises(SearchSyntaxError, match=re.escape(advice)):
        to_fts5(query)
    result = run_cli("search", query)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and advice in result.stderr
