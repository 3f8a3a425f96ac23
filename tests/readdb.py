"""A test database for reading the data: the real HF samples plus hand-made papers, all ingested
through the real CLI, with tags written into `paper_tags` the way the tagger stores them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import FIXTURES, HF_API, HF_HTML

MEDICAL = FIXTURES / "read" / "api_daily_2024-10-28_medical.json"
REVISED = FIXTURES / "read" / "api_daily_2024-10-29_revised_abstract.json"
RULES_VERSION = "test-rules"

# paper -> [(tag, matched words)]: what a keyword tagger would say about each paper.
TAGS: dict[str, list[tuple[str, str]]] = {
    "arxiv:2410.99001": [("medical-imaging", "magnetic resonance images"), ("modality:mri", "magnetic resonance"),
                         ("anatomy:brain", "brain"), ("task:segmentation", "segmentation")],
    "arxiv:2410.99002": [("medical-imaging", "cardiac CT"), ("modality:ct", "CT"), ("anatomy:heart", "cardiac")],
    "arxiv:2410.99003": [("medical-imaging", "magnetic resonance spectroscopy"), ("modality:mri", "magnetic resonance"),
                         ("anatomy:brain", "brain")],
    "arxiv:2410.99005": [("medical-imaging", "CT volumes"), ("modality:mri", "magnetic resonance"),
                         ("modality:ct", "CT"), ("task:segmentation", "organ segmentation")],
    "arxiv:2410.99006": [("medical-imaging", "medical images"), ("task:registration", "registration")],
    "arxiv:2410.99007": [("medical-imaging", "ultrasound"), ("modality:ultrasound", "ultrasound"),
                         ("anatomy:liver", "liver")],
    # A real sample paper: segmentation, but nothing medical.
    "arxiv:2407.21721": [("task:segmentation", "semantic segmentation")],
}
MEDICAL_IDS = {key for key, tags in TAGS.items() if any(tag == "medical-imaging" for tag, _ in tags)}


def add_tags(db_path: Path, tags: dict[str, list[tuple[str, str]]]) -> None:
    """Replace whatever the rules said with these tags, so reading tests do not move with rule changes."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM paper_tags")
        conn.executemany(
            "INSERT INTO paper_tags (paper_id, tag, rule, field, matched, rules_version) VALUES (?, ?, ?, ?, ?, ?)",
            [(key, tag, f"rule:{tag}", "title+abstract", matched, RULES_VERSION)
             for key, pairs in tags.items() for tag, matched in pairs],
        )
    conn.close()


def add_sighting(db_path: Path, paper_id: str, source: str, day: str, upvotes: int | None = None) -> None:
    """A sighting from a source this branch cannot ingest yet (arXiv), as its ingest will store it."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO sightings (paper_id, source, listing_date, upvotes) VALUES (?, ?, ?, ?)",
                     (paper_id, source, day, upvotes))
    conn.close()


@pytest.fixture
def reading_db(run_cli, db_path: Path) -> Path:
    for sample in (HF_HTML, HF_API, MEDICAL):
        result = run_cli("ingest", str(sample), "--as", "hf-daily")  # filed as the configured daily source
        assert result.exit_code == 0, result.output
    add_tags(db_path, TAGS)
    return db_path


def query(db_path: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(sql, params).fetchall()
    conn.close()
    return rows
