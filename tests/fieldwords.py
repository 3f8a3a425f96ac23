"""A database for searching in the field's words: the real HF medical-imaging search page (real
`X-ray`, `U-Net`, `nnU-Net` papers), the hand-made reading day and the hand-made field-words day
(`T1-weighted`, `X ray`/`Xray`, `18F-FDG`), all ingested and tagged by the shipped rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES

HF_SEARCH_TEXT = FIXTURES / "hf" / "hf_papers_search_medical-imaging_rendered-text_2026-02-23.txt"
MEDICAL = FIXTURES / "read" / "api_daily_2024-10-28_medical.json"
FIELD_WORDS = FIXTURES / "read" / "api_daily_2024-10-30_field_words.json"
CHEST_XRAY8 = ("title:chestx ray8 hospital scale chest x ray database and benchmarks on weakly supervised"
               " classification and localization of common thorax diseases|")


@pytest.fixture
def field_words_db(run_cli, db_path: Path) -> Path:
    for sample in (HF_SEARCH_TEXT, MEDICAL, FIELD_WORDS):
        result = run_cli("ingest", str(sample))
        assert result.exit_code == 0, result.output
    return db_path
