"""People's corrections of tags: one yes/no label per (paper, tag), with who and when.

Labels live in their own table and rules never write it, so `retag` cannot
undo a correction; every reader sees them through the `effective_tags` view
(migration 0010). Export and import use one JSON object per label, the same
fields as the table, so a set of corrections moves between databases or into
`paperfeed rules check --labels`.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import IO

from pipeline.json_lines import json_objects
from pipeline.store.core import Store, utc_now

LABEL_FIELDS = ("paper_id", "tag", "value", "who", "note", "at")
VALUES = ("yes", "no")


class LabelError(ValueError):
    """A label that cannot be stored; the message names the paper, tag or line."""


class UnknownPaper(LabelError):
    """A label for a paper the database does not hold."""


def default_who() -> str:
    """Who a label is from when nobody says: PAPERFEED_USER, else the login name."""
    return os.environ.get("PAPERFEED_USER") or getpass.getuser()


@dataclass(frozen=True, slots=True)
class Label:
    paper_id: str
    tag: str
    value: str  # "yes" or "no"
    who: str
    note: str = ""
    at: str = ""


def set_label(store: Store, label: Label, known_tags: Iterable[str]) -> Label:
    """Store `label` (replacing an older one on the same paper and tag); `at` defaults to now."""
    label = _checked(store, label, set(known_tags))
    with store.write_transaction() as conn:
        _upsert(conn, [label])
    return label


def import_labels(store: Store, stream: IO[str], known_tags: Iterable[str], source: str) -> int:
    """Store every label of a JSON-lines stream, all or none; return how many."""
    known = set(known_tags)
    labels = [_checked(store, label, known, f"{source}: line {number}: ")
              for number, label in _read_lines(stream, source)]
    if not labels:
        raise LabelError(f"{source}: no labels in the file")
    with store.write_transaction() as conn:
        _upsert(conn, labels)
    return len(labels)


def export_labels(store: Store, stream: IO[str]) -> int:
    """Write every stored label as one JSON object per line, by paper and tag; return how many."""
    written = 0
    for label in stored_labels(store):
        stream.write(json.dumps(asdict(label), ensure_ascii=False) + "\n")
        written += 1
    return written


def stored_labels(store: Store) -> Iterator[Label]:
    for row in store.conn.execute(f"SELECT {', '.join(LABEL_FIELDS)} FROM labels ORDER BY paper_id, tag"):
        yield Label(*row)


def has_effective_tag(store: Store, paper_id: str, tag: str) -> bool:
    return store.conn.execute("SELECT 1 FROM effective_tags WHERE paper_id = ? AND tag = ?",
                              (paper_id, tag)).fetchone() is not None


def labels_of_paper(store: Store, paper_id: str) -> list[Label]:
    return [Label(*row) for row in store.conn.execute(
        f"SELECT {', '.join(LABEL_FIELDS)} FROM labels WHERE paper_id = ? ORDER BY tag", (paper_id,))]


def labelled_papers(store: Store) -> Iterator[tuple[str, str, str | None, dict[str, bool]]]:
    """(paper id, title, abstract, {tag: yes?}) for every labelled paper: what `rules check` scores."""
    current: tuple[str, str, str | None] | None = None
    verdicts: dict[str, bool] = {}
    for paper_id, title, abstract, tag, value in store.conn.execute(
            "SELECT p.id, p.title, p.abstract, l.tag, l.value FROM labels l JOIN papers p ON p.id = l.paper_id"
            " ORDER BY p.id, l.tag"):
        if current is not None and current[0] != paper_id:
            yield (*current, verdicts)
            verdicts = {}
        current = (paper_id, title, abstract)
        verdicts[tag] = value == "yes"
    if current is not None:
        yield (*current, verdicts)


def _read_lines(stream: IO[str], source: str) -> Iterator[tuple[int, Label]]:
    for number, raw in json_objects(stream, lambda n, reason: LabelError(f"{source}: line {n}: {reason}")):
        missing = [key for key in ("paper_id", "tag", "value", "who") if not isinstance(raw.get(key), str)]
        unknown = set(raw) - set(LABEL_FIELDS)
        if missing or unknown:
            problem = f"missing {', '.join(missing)}" if missing else f"unknown field {sorted(unknown)[0]!r}"
            raise LabelError(f"{source}: line {number}: {problem} (fields: {', '.join(LABEL_FIELDS)})")
        yield number, Label(raw["paper_id"], raw["tag"], raw["value"], raw["who"],
                            str(raw.get("note") or ""), str(raw.get("at") or ""))


def _checked(store: Store, label: Label, known: set[str], where: str = "") -> Label:
    if label.value not in VALUES:
        raise LabelError(f"{where}value must be yes or no, not {label.value!r}")
    if label.tag not in known:
        raise LabelError(f"{where}unknown tag {label.tag!r} (not in the rule file)")
    if not label.who.strip():
        raise LabelError(f"{where}who is empty")
    if store.conn.execute("SELECT 1 FROM papers WHERE id = ?", (label.paper_id,)).fetchone() is None:
        raise UnknownPaper(f"{where}no such paper {label.paper_id!r}")
    if not label.at:
        label = Label(label.paper_id, label.tag, label.value, label.who, label.note, utc_now())
    return label


def _upsert(conn, labels: list[Label]) -> None:
    conn.executemany(
        "INSERT INTO labels (paper_id, tag, value, who, note, at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (paper_id, tag) DO UPDATE SET value = excluded.value, who = excluded.who,"
        " note = excluded.note, at = excluded.at",
        [(label.paper_id, label.tag, label.value, label.who, label.note, label.at) for label in labels],
    )
