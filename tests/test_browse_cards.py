"""Reading-page cards: the best page, shortened authors, and the words behind each tag marked."""

from __future__ import annotations

import pytest

pytest.importorskip("markupsafe")

from fieldwords import field_words_db  # noqa: E402,F401  (fixture)

from pipeline.browse.cards import best_page, highlight, short_authors  # noqa: E402


def test_marks_whole_words_case_insensitively_and_escapes_the_rest():
    lead, rest = highlight("CT <b>scans</b> of the chest; ct-like octopus", {"ct": "modality", "chest": "anatomy"})
    assert lead == ('<mark class="hit-modality">CT</mark> &lt;b&gt;scans&lt;/b&gt; of the'
                    ' <mark class="hit-anatomy">chest</mark>; <mark class="hit-modality">ct</mark>-like octopus')
    assert rest == ""


def test_fold_keeps_a_marked_word_whole_and_splits_the_text_exactly():
    text = "We segment the hippocampus in T1-weighted images."
    cut = text.index("hippocampus") + 4  # inside the word
    lead, rest = highlight(text, {"hippocampus": "anatomy", "images": "medical-imaging"}, cut)
    assert lead.endswith('<mark class="hit-anatomy">hippocampus</mark>')
    assert rest == ' in T1-weighted <mark class="hit-medical-imaging">images</mark>.'
    plain_lead, plain_rest = highlight(text, {}, 10)
    assert plain_lead + plain_rest == text


def test_best_page_prefers_arxiv_then_doi_then_hugging_face_and_drops_unsafe_links():
    assert best_page({"arxiv_id": "2410.99010"}) == ("https://arxiv.org/abs/2410.99010", "arXiv")
    assert best_page({"doi": "10.1101/2024.01.01.1", "hf_url": "https://huggingface.co/papers/x"})[1] == "DOI"
    assert best_page({"hf_url": "https://huggingface.co/papers/x"})[1] == "Hugging Face"
    assert best_page({"url": "javascript:alert(1)"}) == (None, "")


def test_authors_shortened_with_a_count():
    assert short_authors('["A", "B", "C", "D"]') == "A, B, C, D"
    assert short_authors('["A", "B", "C", "D", "E"]') == "A, B, C et al. (5)"
    assert short_authors("not json") == ""


def test_cards_show_the_labels_people_set(field_words_db):
    import sqlite3

    from pipeline.browse.page import page_context
    from pipeline.store.browse import Period, ReadingFilter

    october = Period("2024-10-01", "2024-10-31", "October")
    conn = sqlite3.connect(field_words_db)
    cards = [c for _, _, groups in page_context(conn, october, ReadingFilter(), 100)["groups"]
             for _, members in groups for c in members]
    assert cards and all(card.labels == () for card in cards)
    conn.execute("INSERT INTO labels VALUES ('arxiv:2410.99010', 'task:segmentation', 'no', 'ann', '', '2024-11-01'),"
                 " ('arxiv:2410.99010', 'modality:ct', 'yes', 'ann', 'CT in the figures', '2024-11-01')")
    context = page_context(conn, october, ReadingFilter(), 100)
    labelled = {c.id: c.labels for _, _, groups in context["groups"] for _, members in groups for c in members}
    assert labelled["arxiv:2410.99010"] == ("modality:ct: yes", "task:segmentation: no")
    assert labelled["arxiv:2410.99011"] == ()
    assert context["has_labels"]
    # A database from before the labels table has no label line at all.
    conn.execute("DROP VIEW medical_imaging_papers")
    conn.execute("DROP VIEW papers_with_tags")
    conn.execute("DROP VIEW effective_tags")
    conn.execute("DROP TABLE labels")
    conn.execute("CREATE VIEW effective_tags AS SELECT *, 'rules' AS source FROM paper_tags")
    assert not page_context(conn, october, ReadingFilter(), 100)["has_labels"]
    conn.close()
