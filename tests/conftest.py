"""Shared test fixtures: real saved responses in fixtures/, fresh databases, a test config."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
HF_HTML = FIXTURES / "hf" / "hf_papers_daily_2024-08-01_slbqc.html"
HF_API = FIXTURES / "hf" / "hf_api_daily_papers_2024-10-25_deep-diver_first4.json"
HF_PROPS = FIXTURES / "hf" / "hf_papers_daily_2024-08-01_DailyPapers_data-props.unescaped.json"
# This machine's SQLite may carry the WAL-reset bug; its warning line is tested on its own (test_sqlite_version).
os.environ.setdefault("PAPERFEED_SQLITE_WAL_CHECK", "off")


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1 (an IP, so pacing and private-address rules name it exactly)."""
    server = HTTPServer(host="127.0.0.1")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "papers.db"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """The shipped configuration, plus permission to fetch from this machine's test servers."""
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    settings = target / "settings.toml"
    text = settings.read_text().replace("allow_private = []", 'allow_private = ["127.0.0.1", "localhost"]')
    text = text.replace("retries = 4", "retries = 1").replace("backoff_base = 1.0", "backoff_base = 0.05")
    settings.write_text(text)
    return target


@pytest.fixture
def run_cli(db_path: Path, config_dir: Path):
    """Invoke `paperfeed --db <tmp> --config <tmp> ...` in-process."""

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config_dir), *args])

    return invoke
