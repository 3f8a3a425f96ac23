"""A short scripted day against the simulated upstream, under the shipped schedule: how fresh it stays.

The real scheduler's jobs run at every fire time of their default triggers
over one simulated Tuesday (a few seconds of real time): Hugging Face fills
up in bursts, answers with a single paper for twelve minutes and is down
(503) for forty; arXiv rebuilds its feed at midnight US-Eastern. Every paper
must arrive, once, within the targets of the shipped defaults. The full week
is `bench/bench_freshness.py`.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sim_clock import SimRun, sim_settings, sim_sources, summary
from upstream_sim import HF_BURSTS, SimServer, Upstream

TUESDAY = date(2026, 11, 24)


def test_a_simulated_tuesday_reaches_the_database_within_the_targets(config_dir, db_path):
    outage = (datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc), datetime(2026, 11, 24, 15, 40, tzinfo=timezone.utc))
    upstream = Upstream(TUESDAY, 1, outages={"hf": outage})
    server = SimServer(upstream)
    try:
        sim_settings(config_dir)
        (config_dir / "sources.toml").write_text(sim_sources(server.base, only=("hf-daily", "arxiv-imaging")))
        runner = SimRun(upstream, config_dir, db_path)
        measured = runner.drive(datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc),
                                datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc))
        duplicates = runner.duplicates()
        failed = runner.session.pipeline().store.query(
            "SELECT count(*) AS n FROM runs WHERE source = 'hf-daily' AND status = 'failed'")[0]["n"]
        runner.close()
    finally:
        server.stop()
    hf, hf_missing = measured.delays("hf")
    arxiv, arxiv_missing = measured.delays("arxiv-rss")
    assert len(hf) == sum(count for _, count in HF_BURSTS) and not hf_missing
    assert len(arxiv) == 28 and not arxiv_missing
    assert duplicates == []
    assert summary(hf)["p95"] <= 15 and summary(arxiv)["worst"] <= 30
    assert failed == 4  # the 503s were recorded as failed runs, and the next run caught up
