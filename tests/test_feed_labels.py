"""Labels from the Python API: the same store functions as `paperfeed label`, `labels import|export` and `rules check`."""

from __future__ import annotations

import io

import pytest

import pipeline
from pipeline.store.labels import LabelError, UnknownPaper
from readdb import reading_db  # noqa: F401  (fixture)


def test_feed_labels_override_round_trip_and_score(reading_db, config_dir):
    with pipeline.open(reading_db, config_dir) as feed:
        stored = feed.label("2410.99003", "medical-imaging", False, note="spectroscopy", who="ann")
        assert (stored.paper_id, stored.value, stored.who, stored.note) == (
            "arxiv:2410.99003", "no", "ann", "spectroscopy")
        assert "arxiv:2410.99003" not in {paper.id for paper in feed.papers(tag="medical-imaging")}
        feed.label("arxiv:2410.99001", "medical-imaging", True, who="bo")
        out = io.StringIO()
        assert feed.export_labels(out) == 2
        assert [label.paper_id for label in feed.labels()] == ["arxiv:2410.99001", "arxiv:2410.99003"]
        assert feed.import_labels(io.StringIO(out.getvalue())) == 2 and len(feed.labels()) == 2
        gate = next(r for r in feed.check_rules() if r.tag == "medical-imaging")
        # The rules tag the brain-tumour MRI paper and not the spectroscopy one: both labels agree.
        assert [p.id for p in gate.true_positives] == ["arxiv:2410.99001"]
        assert gate.false_positives == [] and gate.false_negatives == []
        with pytest.raises(UnknownPaper):
            feed.label("9999.99999", "medical-imaging", True, who="ann")
        with pytest.raises(LabelError, match="unknown tag"):
            feed.label("2410.99003", "modality:nosuch", True, who="ann")
