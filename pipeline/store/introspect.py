"""What a database holds, read from the live schema: the tables, views and their columns.

The schema reference and the Datasette metadata are generated from this, so
they describe the file as it is, not as someone remembered it. FTS5 keeps its
index in shadow tables (`papers_fts_data`, ...); they are internal and left out.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from pipeline.store.core import Store

KINDS = ("table", "view", "full-text index")


@dataclass(frozen=True)
class SchemaObject:
    name: str
    kind: str  # one of KINDS
    columns: tuple[tuple[str, str], ...]  # (name, declared type; empty for views and FTS)


def schema_objects(store: Store | sqlite3.Connection) -> list[SchemaObject]:
    """`store` may be a bare connection (Datasette's, with sqlite3.Row rows) as well as a Store."""
    conn = store if isinstance(store, sqlite3.Connection) else store.conn
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    virtual = [row["name"] for row in rows if (row["sql"] or "").upper().startswith("CREATE VIRTUAL TABLE")]
    objects = []
    for row in rows:
        name = row["name"]
        if any(name.startswith(f"{v}_") for v in virtual):
            continue
        kind = "full-text index" if name in virtual else row["type"]
        columns = tuple(
            (col["name"], col["type"] or "")
            for col in conn.execute("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", (name,))
        )
        objects.append(SchemaObject(name=name, kind=kind, columns=columns))
    return sorted(objects, key=lambda o: (KINDS.index(o.kind), o.name))
