"""Small charts of a database's recent days: papers per day per source and per modality, and
each source's runs per day, as text for a terminal and as SVG for the reading page.

Both draw the same `Chart`: one row per series over the same days, so a missing day (a gap)
or a failing source lines up with the others and is seen at a glance. The SVG is plain
rectangles with <title> tooltips: no script, no external font or style.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

BARS = " ▁▂▃▄▅▆▇█"
RUN_MARKS = {"ok": "●", "not-modified": "●", "empty": "○", "skipped": "·", "failed": "✗", "interrupted": "×",
             "rate-limited": "!"}
RUN_COLOURS = {"ok": "#2e7d32", "not-modified": "#66bb6a", "empty": "#bdbdbd", "skipped": "#e0e0e0",
               "failed": "#c62828", "interrupted": "#ef6c00", "rate-limited": "#f9a825"}
NO_RUN = "-"


@dataclass(frozen=True)
class Chart:
    title: str
    days: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]  # (name, count per day)


@dataclass(frozen=True)
class RunTimeline:
    days: tuple[str, ...]
    sources: tuple[tuple[str, tuple[str | None, ...]], ...]  # (source, worst status per day or None)


def day_range(until: str, days: int) -> tuple[str, ...]:
    last = date.fromisoformat(until)
    return tuple((last - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1))


def counts_chart(title: str, days: tuple[str, ...], rows: list[tuple[str, str, int]]) -> Chart:
    """A chart from (day, series, count) rows; series in name order."""
    index = {day: i for i, day in enumerate(days)}
    series: dict[str, list[int]] = {}
    for day, name, count in rows:
        if day in index:
            series.setdefault(name, [0] * len(days))[index[day]] += count
    return Chart(title, days, tuple((name, tuple(series[name])) for name in sorted(series)))


def run_timeline(days: tuple[str, ...], rows: list[tuple[str, str, str, int]]) -> RunTimeline:
    index = {day: i for i, day in enumerate(days)}
    sources: dict[str, list[str | None]] = {}
    for source, day, status, _ in rows:
        if day in index:
            sources.setdefault(source, [None] * len(days))[index[day]] = status
    return RunTimeline(days, tuple((name, tuple(sources[name])) for name in sorted(sources)))


def text_chart(chart: Chart) -> list[str]:
    """One line per series: a bar per day (scaled to the chart's largest day), then the total."""
    if not chart.series:
        return [f"{chart.title}: nothing between {chart.days[0]} and {chart.days[-1]}"]
    peak = max(max(counts) for _, counts in chart.series) or 1
    width = max(len(name) for name, _ in chart.series)
    lines = [f"{chart.title}, {chart.days[0]} to {chart.days[-1]} (one column a day, tallest = {peak}):"]
    for name, counts in chart.series:
        bars = "".join(BARS[0] if n == 0 else BARS[max(1, round(n / peak * (len(BARS) - 1)))] for n in counts)
        lines.append(f"  {name:<{width}} │{bars.replace(' ', '·')}│ {sum(counts)}")
    return lines


def text_timeline(timeline: RunTimeline) -> list[str]:
    if not timeline.sources:
        return [f"runs: none between {timeline.days[0]} and {timeline.days[-1]}"]
    width = max(len(name) for name, _ in timeline.sources)
    legend = "  ".join(f"{mark} {status}" for status, mark in RUN_MARKS.items() if status != "not-modified")
    lines = [f"runs per day, worst status ({legend}, {NO_RUN} no run):"]
    for name, statuses in timeline.sources:
        marks = "".join(RUN_MARKS.get(s, "?") if s else NO_RUN for s in statuses)
        failed = sum(s in ("failed", "interrupted") for s in statuses)
        lines.append(f"  {name:<{width}} │{marks}│" + (f" {failed} day(s) failed" if failed else ""))
    return lines


def svg_chart(chart: Chart, *, bar: int = 9, row: int = 34, label: int = 150) -> str:
    """Small multiples: one row of bars per series, a shared day axis, a tooltip per bar."""
    if not chart.series:
        return f'<p class="chart-empty">{escape(chart.title)}: nothing in these days.</p>'
    peak = max(max(counts) for _, counts in chart.series) or 1
    width = label + len(chart.days) * (bar + 2) + 40
    height = len(chart.series) * row + 20
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
             f' xmlns="http://www.w3.org/2000/svg"><title>{escape(chart.title)}</title>']
    for r, (name, counts) in enumerate(chart.series):
        top = r * row + 4
        parts.append(f'<text x="0" y="{top + row - 14}" class="series">{escape(name)}</text>')
        for i, n in enumerate(counts):
            h = 0 if n == 0 else max(2, round(n / peak * (row - 12)))
            x = label + i * (bar + 2)
            parts.append(f'<rect x="{x}" y="{top + row - 10 - h}" width="{bar}" height="{h or 1}"'
                         f' class="{"bar" if n else "gap"}"><title>{escape(name)} {chart.days[i]}: {n}</title></rect>')
        parts.append(f'<text x="{label + len(counts) * (bar + 2) + 4}" y="{top + row - 14}" class="total">'
                     f'{sum(counts)}</text>')
    parts.append(f'<text x="{label}" y="{height - 4}" class="axis">{chart.days[0]}</text>'
                 f'<text x="{width - 40}" y="{height - 4}" class="axis" text-anchor="end">{chart.days[-1]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_timeline(timeline: RunTimeline, *, cell: int = 9, row: int = 16, label: int = 150) -> str:
    if not timeline.sources:
        return '<p class="chart-empty">No runs in these days.</p>'
    width = label + len(timeline.days) * (cell + 2) + 10
    height = len(timeline.sources) * row + 20
    parts = [f'<svg class="chart runs" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
             ' xmlns="http://www.w3.org/2000/svg"><title>Runs per day</title>']
    for r, (name, statuses) in enumerate(timeline.sources):
        top = r * row + 2
        parts.append(f'<text x="0" y="{top + cell}" class="series">{escape(name)}</text>')
        for i, status in enumerate(statuses):
            colour = RUN_COLOURS.get(status or "", "#f5f5f5")
            parts.append(f'<rect x="{label + i * (cell + 2)}" y="{top}" width="{cell}" height="{cell}" fill="{colour}"'
                         f' class="run-{escape(status or "none")}"><title>{escape(name)} {timeline.days[i]}:'
                         f' {escape(status or "no run")}</title></rect>')
    parts.append(f'<text x="{label}" y="{height - 4}" class="axis">{timeline.days[0]}</text>'
                 f'<text x="{width - 10}" y="{height - 4}" class="axis" text-anchor="end">{timeline.days[-1]}</text>')
    parts.append("</svg>")
    return "".join(parts)
