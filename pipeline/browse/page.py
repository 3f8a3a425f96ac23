"""The reading page (`/-/reading`): a period's new papers as cards, grouped by day and modality,
with filters, and the charts of the last weeks; plus the search error page and index links.

Query parameters: `period` (`week`: since Monday, the default; `7d`, `30d`, `90d`), or `since`
and `until` (YYYY-MM-DD); `tag`, `source` (a name or glob), `q` (the same search as
`paperfeed search`), `db` (which database, when Datasette serves several), `limit`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup

from pipeline.browse.cards import build_card, group_cards
from pipeline.browse.render import render_groups
from pipeline.output import charts
from pipeline.output.browse import SEARCH_QUERY, SEARCHABLE_VIEWS
from pipeline.store import browse as queries
from pipeline.store.browse import Period, ReadingFilter
from pipeline.store.fts_query import SearchSyntaxError

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
CHART_DAYS = 28
PERIODS = {"week": "this week", "7d": "last 7 days", "30d": "last 30 days", "90d": "last 90 days"}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def period_of(args: dict[str, str], today: date) -> Period | str:
    """The period the query asks for, or a one-line reason it cannot be read."""
    since, until = args.get("since") or "", args.get("until") or ""
    if since or until:
        for name, value in (("since", since), ("until", until)):
            if value and not _DAY.match(value):
                return f"{name}={value!r}: expected a day, YYYY-MM-DD"
        since = since or "0000-01-01"
        until = until or today.isoformat()
        return Period(since, until, f"{since} to {until}" if since != "0000-01-01" else f"until {until}")
    name = args.get("period") or "week"
    if name == "week":
        start = today - timedelta(days=today.weekday())
    elif name in PERIODS:
        start = today - timedelta(days=int(name[:-1]) - 1)
    else:
        return f"period={name!r}: expected one of {', '.join(PERIODS)}, or since/until days"
    return Period(start.isoformat(), today.isoformat(), PERIODS[name])


async def reading_page(datasette, request):
    from datasette.utils.asgi import Response

    from pipeline.browse.plugin import state

    found = state(datasette).databases
    database = request.args.get("db") or next(iter(found), None)
    if database not in found:
        return Response.html("<p>No paperfeed database is being served here.</p>", status=404)
    args = {key: request.args.get(key) for key in ("period", "since", "until", "tag", "source", "q", "limit")}
    period = period_of(args, date.today())
    try:
        limit = max(1, min(MAX_LIMIT, int(args.get("limit") or DEFAULT_LIMIT)))
    except ValueError:
        period = f"limit={args['limit']!r}: expected a number of papers"
    if isinstance(period, str):
        return Response.html(await datasette.render_template(
            "paperfeed_error.html", {"message": period, "database": database}, request=request), status=400)
    selection = ReadingFilter(tag=args.get("tag") or None, source=args.get("source") or None,
                              search=args.get("q") or None)
    db = datasette.get_database(database)
    try:
        context = await db.execute_fn(lambda conn: page_context(conn, period, selection, limit))
    except SearchSyntaxError as exc:
        return Response.html(await datasette.render_template(
            "paperfeed_error.html", {"message": str(exc), "database": database}, request=request), status=400)
    def query_url(**change) -> str:
        return "?" + urlencode({k: v for k, v in {**args, "db": request.args.get("db"), **change}.items() if v})

    context.update(database=database, args=args, periods=PERIODS, chosen=period,
                   table_url=datasette.urls.table(database, "papers"), query_url=query_url,
                   cards_html=render_groups(context["groups"], {tag: query_url(tag=tag) for tag, _ in context["tags"]},
                                            args.get("tag")))
    return Response.html(await datasette.render_template("paperfeed_reading.html", context, request=request))


def page_context(conn, period: Period, selection: ReadingFilter, limit: int) -> dict[str, Any]:
    """Everything the template shows, read in one go on Datasette's connection thread."""
    papers = queries.new_papers(conn, period, selection, limit)
    ids = [paper["id"] for paper in papers]
    evidence = queries.tag_evidence(conn, ids)
    labels = queries.labels_of(conn, ids)
    cards = [build_card(paper, evidence[paper["id"]], None if labels is None else labels[paper["id"]])
             for paper in papers]
    days = charts.day_range(period.until, CHART_DAYS)
    return {
        "groups": group_cards(cards),
        "shown": len(cards),
        "limit": limit,
        "in_period": queries.count_new_papers(conn, period),
        "latest": queries.latest_first_seen(conn),
        "tags": queries.tag_counts(conn, period),
        "sources": queries.source_names(conn),
        "has_labels": labels is not None,
        "charts": [
            Markup(charts.svg_chart(charts.counts_chart(
                "Papers per day by source", days, queries.papers_per_day_by_source(conn, days[0], days[-1])))),
            Markup(charts.svg_chart(charts.counts_chart(
                "New papers per day by modality", days,
                queries.new_papers_per_day_by_modality(conn, days[0], days[-1])))),
            Markup(charts.svg_timeline(charts.run_timeline(days, queries.runs_per_day(conn, days[0], days[-1])))),
        ],
        "chart_days": (days[0], days[-1]),
    }


def search_error(message: str, database: str, table: str, typed: str) -> bytes:
    """A small page for a search FTS5 cannot run: the message, and the box to try again."""
    from html import escape

    action = f"/{quote(database)}/{quote(SEARCH_QUERY if table == SEARCH_QUERY else table)}"
    field = "q" if table == SEARCH_QUERY else "_search"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Search error</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        f'<p class="search-error" role="alert">{escape(message)}</p>'
        f'<form action="{escape(action)}" method="get"><input type="search" name="{field}" value="{escape(typed)}">'
        '<input type="submit" value="Search"></form>'
        f'<p><a href="/{escape(quote(database))}">back to {escape(database)}</a></p></body></html>'
    ).encode()


def database_links(datasette, database: str) -> dict[str, Any]:
    return {
        "database": database,
        "reading": "/-/reading?" + urlencode({"db": database}),
        "search": datasette.urls.database(database) + f"/{SEARCH_QUERY}",
        "views": [(name, datasette.urls.table(database, name)) for name in (*SEARCHABLE_VIEWS, "latest_sightings")],
        "papers": datasette.urls.table(database, "papers"),
    }
