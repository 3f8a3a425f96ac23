"""A delivery's message names a dependency that went silently stale (the simulated upstream of
test_staleness: a journal feed that stops changing), not only one whose run failed."""

from __future__ import annotations

from datetime import date, time

from test_staleness import START, ingest_daily, upstream_for  # noqa: F401  (fixture)


def test_a_stale_dependency_is_named_in_the_delivery(run_cli, upstream_for, config_dir):  # noqa: F811
    upstream_for(("journal-of-imaging",), journal_stops=date(2026, 11, 23))
    ingest_daily(run_cli, "journal-of-imaging", START, date(2026, 11, 30), time(12, 0))
    (config_dir / "subscriptions.toml").write_text(
        '[subscriptions.journals]\nrecipients = ["json://127.0.0.1:9/hook"]\nafter = ["journal-of-imaging"]\n'
        'since = "2026-12-01"\n')
    result = run_cli("deliver", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "late or failed: journal-of-imaging" in result.stderr
    assert "⚠ source journal-of-imaging:" in result.stdout and "stale: no new paper since 2026-11-20" in result.stdout
