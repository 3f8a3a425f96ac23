"""`paperfeed stats` charts recent days in the terminal; the same charts as SVG for the reading page."""

from __future__ import annotations

from datetime import date

from conftest import HF_HTML

from pipeline.cli.browse import chart_lines
from pipeline.output import charts
from pipeline.store import Store
from pipeline.store import browse as recent


def test_stats_draws_runs_per_source_with_the_failed_one_marked(run_cli, tmp_path):
    garbage = tmp_path / "not-a-listing.html"
    garbage.write_text("<html>nothing to read</html>")  # hand-made: a file no parser recognises
    assert run_cli("ingest", str(HF_HTML)).exit_code == 0
    assert run_cli("ingest", str(garbage)).exit_code == 1
    result = run_cli("stats", "--days", "7")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    runs = lines[lines.index(next(line for line in lines if line.startswith("runs per day"))) + 1:]
    assert [line.split()[0] for line in runs] == ["adhoc", "adhoc:hf-daily"]
    assert runs[0].endswith("------✗│ 1 day(s) failed") and runs[1].endswith("------●│")


def test_paper_chart_over_a_past_window(run_cli, db_path):
    assert run_cli("ingest", str(HF_HTML)).exit_code == 0
    with Store(db_path) as store:
        lines = chart_lines(store, 5, today=date(2024, 8, 3))
        rows = recent.papers_per_day_by_source(store.conn, "2024-07-30", "2024-08-03")
    # The 2024-08-01 daily page: 13 papers on the third of five days, nothing on the others.
    assert "  adhoc:hf-daily │··█··│ 13" in lines
    chart = charts.counts_chart("Papers per day by source", charts.day_range("2024-08-03", 5), rows)
    assert chart.series == (("adhoc:hf-daily", (0, 0, 13, 0, 0)),)
    svg = charts.svg_chart(chart)
    assert svg.count('class="bar"') == 1 and svg.count('class="gap"') == 4
    assert "<title>adhoc:hf-daily 2024-08-01: 13</title>" in svg


def test_empty_window_says_so():
    days = charts.day_range("2024-08-03", 3)
    assert charts.text_chart(charts.counts_chart("papers", days, [])) == ["papers: nothing between 2024-08-01 and 2024-08-03"]
    assert charts.text_timeline(charts.run_timeline(days, [])) == ["runs: none between 2024-08-01 and 2024-08-03"]
