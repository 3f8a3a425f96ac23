"""paperfeed's Datasette plugin: metadata, search in the field's words, readable tables, the reading page.

Registered through Datasette's `datasette` entry point, so `datasette papers.db` gets all of it
once paperfeed is installed, and `paperfeed browse` only starts Datasette. It acts only on
databases that hold paperfeed's tables; other databases in the same Datasette are left alone.

Search: Datasette passes `_search` straight to FTS5, which reads `X-ray` as syntax. An ASGI
wrapper rewrites the value with `fts_query.to_fts5` before Datasette sees it (and answers an
unsearchable query with a one-line 400 page); SQL can call the same rewrite as
`paperfeed_fts(:q)`, which the `search` canned query does. A plain search box request on `papers` or a
view goes to the `search` canned query, best match first; the table page with
`_sort_desc=last_seen_at` is the date order, one link away. Views have no FTS table of their
own, so their `_search` is a `filters_from_request` clause over `papers_fts`.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

from pipeline.browse import page
from pipeline.browse.cards import best_page
from pipeline.output.browse import SEARCH_QUERY, SEARCHABLE_VIEWS, datasette_metadata
from pipeline.output.escape import safe_url
from pipeline.output.reference import load_descriptions
from pipeline.store.browse import is_paperfeed_database
from pipeline.store.fts_query import SearchSyntaxError, to_fts5
from pipeline.store.introspect import schema_objects

PLUGIN = "paperfeed"
ABSTRACT_CELL = 240
ORIGINAL_SEARCH = "paperfeed.search"  # ASGI scope key: the query as typed


@dataclass
class State:
    databases: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> its metadata

    def is_ours(self, database: str | None) -> bool:
        return database in self.databases


def state(datasette) -> State:
    if not hasattr(datasette, "_paperfeed"):
        datasette._paperfeed = State()
    return datasette._paperfeed


def description_html(text: str) -> Markup:
    """A description line with its `code` spans as <code>, the rest escaped."""
    parts = re.split(r"`([^`]*)`", text or "")
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


@hookimpl
def startup(datasette):
    async def inner():
        descriptions = load_descriptions()
        for name, db in datasette.databases.items():
            if name.startswith("_"):
                continue

            def read(conn: sqlite3.Connection):
                if not is_paperfeed_database(conn):
                    return None
                previous, conn.row_factory = conn.row_factory, sqlite3.Row
                try:
                    return schema_objects(conn)
                finally:
                    conn.row_factory = previous

            objects = await db.execute_fn(read)
            if objects is not None:
                state(datasette).databases[name] = datasette_metadata(name, objects, descriptions)

    return inner


@hookimpl
def get_metadata(datasette, key, database, table):
    found = state(datasette).databases
    if not found:
        return {}
    merged: dict[str, Any] = {"databases": {}}
    for meta in found.values():
        merged["title"], merged["description"] = meta["title"], meta["description"]
        merged["databases"].update(meta["databases"])
    return merged


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def rewrite_search(scope, receive, send):
            if scope.get("type") == "http":
                outcome = _search_request(state(datasette), scope)
                if isinstance(outcome, tuple):
                    status, headers, body = outcome
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
                    return
                scope = outcome
            await app(scope, receive, send)

        return rewrite_search

    return wrap


def _search_request(found: State, scope: dict[str, Any]):
    """The scope with its search rewritten, or (status, headers, body) for a redirect or an error."""
    parts = scope.get("path", "").strip("/").split("/")
    if len(parts) != 2 or not found.is_ours(parts[0]):
        return scope
    database, name = parts
    base, dot, extension = name.partition(".")
    key = "q" if base == SEARCH_QUERY else "_search"
    if base != SEARCH_QUERY and base not in ("papers", *SEARCHABLE_VIEWS):
        return scope
    args = parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)
    typed = next((value for k, value in args if k == key), None)
    if not typed or not typed.strip():
        return scope
    try:
        expression = to_fts5(typed)
    except SearchSyntaxError as exc:
        return 400, [(b"content-type", b"text/html; charset=utf-8")], page.search_error(str(exc), database, base, typed)
    sorted_explicitly = any(k in ("_sort", "_sort_desc") for k, _ in args)
    if key == "_search" and not dot and not sorted_explicitly:
        location = f"/{quote(database)}/{SEARCH_QUERY}?" + urlencode({"q": typed, "from": base})
        return 302, [(b"location", location.encode())], b""
    if key == "q":  # the canned query rewrites it in SQL, with paperfeed_fts(:q), so its box keeps the words
        return dict(scope, **{ORIGINAL_SEARCH: typed})
    rewritten = [(k, expression if k == key else value) for k, value in args]
    return dict(scope, query_string=urlencode(rewritten).encode(), **{ORIGINAL_SEARCH: typed})


@hookimpl
def prepare_connection(conn, database, datasette):
    """`paperfeed_fts(query)`: the FTS5 expression for a query in the field's words, for SQL in Datasette."""
    conn.create_function("paperfeed_fts", 1, to_fts5, deterministic=True)


@hookimpl
def filters_from_request(request, database, table, datasette):
    found = state(datasette)
    if not found.is_ours(database) or table not in ("papers", *SEARCHABLE_VIEWS):
        return None
    typed = request.scope.get(ORIGINAL_SEARCH)
    search = request.args.get("_search")

    async def inner():
        from datasette.filters import FilterArguments

        context: dict[str, Any] = {"supports_search": True}
        if typed:
            context["search"] = typed
        if table == "papers" or not search:
            return FilterArguments([], {}, [], context)
        return FilterArguments(
            ["id IN (SELECT p.id FROM papers p WHERE p.rowid IN"
             " (SELECT rowid FROM papers_fts WHERE papers_fts MATCH :paperfeed_search))"],
            {"paperfeed_search": search}, [f'search matches "{typed or search}"'], context)

    return inner


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not state(datasette).is_ours(database) or not isinstance(value, str):
        return None
    if column == "title":
        record = {key: row[key] for key in row.keys()} if hasattr(row, "keys") else {}
        url = record.get("page") if safe_url(record.get("page")) else best_page(record)[0]
        paper_id = record.get("id") or record.get("paper_id")
        if url is None and paper_id:
            url = datasette.urls.row(database, "papers", quote(str(paper_id), safe=""))
        if url:
            return Markup('<a class="paper-title" href="{}">{}</a>').format(url, value)
        return None
    if column in ("abstract", "error", "matched", "authors", "provenance") and len(value) > ABSTRACT_CELL:
        cut = value.rfind(" ", 0, ABSTRACT_CELL)
        cut = cut if cut > 0 else ABSTRACT_CELL
        return Markup('<details class="long-text"><summary>{}…</summary>{}</details>').format(value[:cut], value[cut:])
    return None


@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette):
    if state(datasette).databases:
        return [datasette.urls.static_plugins(PLUGIN, "paperfeed.css")]
    return []


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    found = state(datasette)
    if not found.databases:
        return {}
    extra: dict[str, Any] = {}
    if template == "index.html" or (template == "database.html" and found.is_ours(database)):
        extra["paperfeed_links"] = [page.database_links(datasette, name) for name in found.databases
                                    if template == "index.html" or name == database]
    if found.is_ours(database) and table and template in ("table.html", "row.html"):
        entry = found.databases[database]["databases"][database]["tables"].get(table, {})
        extra["paperfeed_about"] = [(column, description_html(text)) for column, text in entry.get("columns", {}).items()]
    if found.is_ours(database) and request is not None:
        on_query = template == "query.html"
        search = request.scope.get(ORIGINAL_SEARCH)
        origin = request.args.get("from") or "papers"
        if search and origin in ("papers", *SEARCHABLE_VIEWS):
            base = datasette.urls.table(database, origin)
            extra["paperfeed_orders"] = {
                "rank": datasette.urls.database(database) + f"/{SEARCH_QUERY}?" + urlencode({"q": search, "from": origin}),
                "date": base + "?" + urlencode({"_search": search, "_sort_desc": "last_seen_at"}),
                "current": "rank" if on_query else "date",
            }
    return extra


@hookimpl
def register_routes():
    return [(r"^/-/reading$", page.reading_page)]

