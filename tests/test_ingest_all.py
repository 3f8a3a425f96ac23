"""`paperfeed ingest --all` (the cron-line way to run paperfeed) and schedule configuration errors."""

from __future__ import annotations

import pytest

from scheduling import HfServer, rows, source, tune, write_sources


@pytest.fixture
def hf():
    server = HfServer()
    yield server
    server.stop()


def test_all_runs_every_enabled_source_and_one_failure_stops_none_of_the_others(hf, run_cli, db_path, config_dir):
    write_sources(config_dir,
                  source("down", "hf-daily", base_url=f"{hf.base}/down"),  # no such path: API and page fail
                  source("broken", "hf-search", base_url=hf.base, query=""),  # raises inside ingest_source
                  source("hf-local", "hf-daily", base_url=hf.base),
                  source("off", "hf-daily", base_url=hf.base, enabled=False))
    result = run_cli("ingest", "--all")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    statuses = dict(rows(db_path, "select source, status from runs"))
    assert statuses == {"down": "failed", "broken": "failed", "hf-local": "ok"}
    assert "down: failed: GET" in result.stderr and "broken: failed: source 'broken' needs a query" in result.stderr
    assert "hf-local: ok: 4 entries parsed" in result.stdout
    assert rows(db_path, "select count(*) from sightings where source = 'hf-local'") == [(4,)]


def test_all_succeeds_with_exit_0_and_a_second_run_fetches_only_today(hf, run_cli, db_path, config_dir):
    write_sources(config_dir, source("hf-local", "hf-daily", base_url=hf.base))
    assert run_cli("ingest", "--all").exit_code == 0
    assert run_cli("ingest", "--all").exit_code == 0
    assert len(set(hf.dates())) == 1 and len(hf.dates()) == 2


@pytest.mark.parametrize("args", [(), ("--all", "hf-daily"), ("--all", "--date", "2024-10-25")])
def test_ingest_needs_exactly_one_of_target_and_all(run_cli, args):
    result = run_cli("ingest", *args)
    assert result.exit_code == 2 and "give either TARGET or --all" in result.stderr


@pytest.mark.parametrize("options, message", [
    ({"schedule": "17 6 * *"}, "expected 5 crontab fields (or 6, seconds first)"),
    ({"schedule": "30 20 * * 0-4"}, "write weekdays as names"),
    ({"schedule": "61 * * * *"}, "schedule '61 * * * *' in 'UTC'"),
    ({"timezone": "Mars/Olympus"}, "'Mars/Olympus'"),
    ({"catch_up_days": -1}, "catch_up_days = -1: must be a whole number >= 0"),
])
def test_a_bad_schedule_is_one_line_naming_file_and_source(run_cli, config_dir, options, message):
    write_sources(config_dir, source("hf-x", "hf-daily", **options))
    result = run_cli("schedule", "--list")
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in result.output
    assert "sources.toml: source 'hf-x'" in line and message in line


def test_bad_schedule_settings_are_one_line(run_cli, config_dir):
    tune(config_dir, lock_wait='"soon"')
    result = run_cli("schedule", "--list")
    assert result.exit_code == 2
    assert "settings.toml: [schedule] lock_wait = 'soon': expected a number >= 0" in result.stderr


def test_the_shipped_sources_get_their_kinds_default_schedules(run_cli):
    result = run_cli("schedule", "--list")
    assert result.exit_code == 0
    assert "hf-daily: '*/10 * * * *' UTC, next run" in result.output
    assert "arxiv-imaging: '10 0 * * mon-fri' America/New_York" in result.output
    assert "hf-search: '43 7 * * *' UTC" in result.output
