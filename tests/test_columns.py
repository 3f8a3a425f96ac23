"""Paper columns are declared once (pipeline.columns): each has a merge rule, and every list derives from it."""

from __future__ import annotations

import dataclasses

from pipeline.columns import COLUMN_NAMES, DERIVED, PAPER_COLUMNS, READ_COLUMNS
from pipeline.identity.merge import RULES, merge_paper
from pipeline.model import Paper, PaperRecord
from pipeline.output.formats import CSV_COLUMNS
from pipeline.store import Store
from pipeline.store.listings import paper_row


def test_every_column_of_the_papers_table_is_declared_with_a_known_merge_rule(tmp_path):
    with Store(tmp_path / "papers.db") as store:
        in_schema = [row["name"] for row in store.conn.execute("PRAGMA table_info(papers)")]
    undeclared = sorted(set(in_schema) - set(COLUMN_NAMES))
    assert not undeclared, f"papers columns without a declaration (and merge rule) in pipeline/columns.py: {undeclared}"
    assert sorted(set(COLUMN_NAMES) - set(in_schema)) == []
    unruled = [column.name for column in PAPER_COLUMNS if column.merge not in RULES]
    assert not unruled, f"columns whose merge rule is not in pipeline.identity.merge.RULES: {unruled}"


def test_paper_reading_and_csv_fields_come_from_the_declaration():
    assert [f.name for f in dataclasses.fields(Paper)] == [c.name for c in (*READ_COLUMNS, *DERIVED)]
    assert set(CSV_COLUMNS) == {f.name for f in (*READ_COLUMNS, *DERIVED) if f.csv}
    assert CSV_COLUMNS[0] == "id"


def _record(n: int) -> PaperRecord:
    """Every field set, each to a value that differs between n = 1 and n = 2."""
    return PaperRecord(
        title=f"Title {n}", arxiv_id=f"2401.0000{n}", arxiv_version=n, doi=f"10.1101/{n}", abstract="x" * (10 + n),
        authors=tuple(f"A{i}" for i in range(n)), published_at=f"2024-01-0{n}", hf_url=f"https://hf/{n}",
        arxiv_url=f"https://arxiv/{n}", pdf_url=f"https://pdf/{n}", github_repo=f"https://gh/{n}", github_stars=n,
        project_page=f"https://p/{n}", organization=f"org{n}", ai_keywords=tuple(f"k{i}" for i in range(n)),
        categories=tuple(f"c{i}" for i in range(n)), updated_at=f"2024-02-0{n}T00:00:00Z", preprint_version=n,
        url=f"https://u/{n}", pmid=str(n), pmcid=f"PMC{n}", journal=f"J{n}", journal_abbrev=f"J. {n}",
        issns=tuple(f"0000-000{i}" for i in range(n)), work_type="journal-article" if n == 1 else "posted-content",
        orcids=tuple((f"A{i}", f"0000-0000-0000-000{i}") for i in range(n)),
    )


def test_every_column_merges_the_same_whichever_row_arrived_first():
    """A column without a real rule keeps whatever was stored first: this is where it would show."""
    one = paper_row(_record(1), "paper", "2024-03-01", "arxiv-api")
    two = paper_row(_record(2), "paper", "2024-03-02", "biorxiv-api")
    assert set(one) == set(COLUMN_NAMES)  # paper_row fills every declared column, computed ones too
    forward, backward = merge_paper(one, two), merge_paper(two, one)
    differs = [name for name in COLUMN_NAMES if forward[name] != backward[name]]
    assert differs == []
    assert forward["first_seen_at"] == "2024-03-01" and forward["last_seen_at"] == "2024-03-02"
