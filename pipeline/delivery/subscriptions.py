"""Subscriptions: named saved queries with recipients and a cadence, in `config/subscriptions.toml`.

    [subscriptions.mri-segmentation]
    tags = ["medical-imaging", "modality:mri"]   # every entry must match; "modality:mri,modality:ct" = either
    query = "segmentation"                        # full-text query, as `paperfeed search` takes it
    sources = ["hf-*", "arxiv-*"]                 # only papers these sources listed
    min_upvotes = 3
    recipients = ["mailto:ana@example.org", "ntfy://ntfy.example.org/mri-papers"]
    cadence = "daily"                             # daily, weekly, or a crontab line ("30 7 * * mon-fri")

Every key is checked when the file is read: a mistake is one line naming the
file, the subscription and the key, and exit status 2. `add` and `remove`
edit the file as text, one table at a time, so comments elsewhere survive.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.config import ConfigError
from pipeline.store.fts_query import SearchSyntaxError, to_fts5

FILE_NAME = "subscriptions.toml"
CADENCES = {"daily": ("0 7 * * *", 1), "weekly": ("0 7 * * mon", 7)}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KEYS: Mapping[str, type | tuple[type, ...]] = {
    "tags": list, "query": str, "sources": list, "min_upvotes": int, "recipients": list, "cadence": str,
    "timezone": str, "since": str, "after": list, "send_empty": bool, "title": str, "list_url": str,
}


@dataclass(frozen=True)
class Subscription:
    """One saved query and who gets what it finds. `after` names the sources whose runs a delivery
    reports on (late or failed); by default the sources that `sources` selects, or every enabled one."""

    name: str
    recipients: tuple[str, ...]
    tags: tuple[tuple[str, ...], ...] = ()
    query: str | None = None
    sources: tuple[str, ...] = ()
    min_upvotes: int | None = None
    cadence: str = "daily"
    timezone: str = "UTC"
    since: str | None = None  # deliver nothing that became new before this day
    after: tuple[str, ...] = ()
    send_empty: bool = False  # also send "no new papers" when every source is fine
    title: str | None = None
    list_url: str | None = None  # the full list, linked from a message that had to stop early

    @property
    def crontab(self) -> str:
        return CADENCES[self.cadence][0] if self.cadence in CADENCES else self.cadence

    @property
    def period_days(self) -> int:
        """How far back a subscription's first delivery reaches (a cron cadence counts as daily)."""
        return CADENCES.get(self.cadence, ("", 1))[1]

    def first_day(self, first_attempt: date) -> str:
        return self.since or (first_attempt - timedelta(days=self.period_days)).isoformat()

    @property
    def heading(self) -> str:
        return self.title or f"paperfeed: {self.name}"


def is_mail(recipient: str) -> bool:
    """`mailto:ana@example.org` (or a bare address) goes through [smtp]; any other URL through apprise."""
    if recipient.startswith("mailto:"):
        return not recipient.startswith("mailto://")  # apprise's own mail URL form
    return "://" not in recipient


def mail_address(recipient: str) -> str:
    return recipient[len("mailto:"):] if recipient.startswith("mailto:") else recipient


def path_in(config_dir: Path) -> Path:
    return config_dir / FILE_NAME


def load(config_dir: Path) -> dict[str, Subscription]:
    """The folder's subscriptions; no file means none."""
    path = path_in(config_dir)
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {' '.join(str(exc).split())}") from None
    unknown = set(data) - {"subscriptions"}
    if unknown:
        raise ConfigError(f"{path}: unknown tables {', '.join(sorted(unknown))} (write [subscriptions.NAME])")
    tables = data.get("subscriptions", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: `subscriptions` must hold [subscriptions.NAME] tables")
    return {name: from_table(name, table, f"{path}: subscription {name!r}") for name, table in tables.items()}


def from_table(name: str, table: Any, where: str) -> Subscription:
    if not _NAME.match(name):
        raise ConfigError(f"{where}: a name is lower-case letters, digits, '-' and '_'")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of keys")
    for key, value in table.items():
        expected = _KEYS.get(key)
        if expected is None:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: {key} = {value!r}: expected {getattr(expected, '__name__', expected)}")
        if isinstance(value, list) and not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"{where}: {key} must be a list of non-empty strings")
    recipients = tuple(table.get("recipients", ()))
    if not recipients:
        raise ConfigError(f"{where}: no recipients (mailto: addresses or notification URLs)")
    for recipient in recipients:
        if is_mail(recipient) and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", mail_address(recipient)):
            raise ConfigError(f"{where}: recipient {recipient!r} is neither a mail address nor a notification URL")
    cadence = table.get("cadence", "daily")
    subscription = Subscription(
        name=name, recipients=recipients,
        tags=tuple(tuple(t.strip() for t in tag.split(",") if t.strip()) for tag in table.get("tags", ())),
        query=table.get("query") or None, sources=tuple(table.get("sources", ())),
        min_upvotes=table.get("min_upvotes"), cadence=cadence, timezone=table.get("timezone", "UTC"),
        since=_day(table.get("since"), where), after=tuple(table.get("after", ())),
        send_empty=table.get("send_empty", False), title=table.get("title"), list_url=table.get("list_url"),
    )
    if subscription.query:
        try:
            to_fts5(subscription.query)
        except SearchSyntaxError as exc:
            raise ConfigError(f"{where}: query: {exc}") from None
    if subscription.min_upvotes is not None and subscription.min_upvotes < 0:
        raise ConfigError(f"{where}: min_upvotes must be 0 or more")
    _check_cadence(subscription, where)
    return subscription


def _day(value: str | None, where: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ConfigError(f"{where}: since = {value!r}: expected YYYY-MM-DD") from None


def _check_cadence(subscription: Subscription, where: str) -> None:
    from pipeline.run.scheduler import cron_trigger  # the scheduler's own check of a crontab line

    if subscription.cadence not in CADENCES and len(subscription.cadence.split()) not in (5, 6):
        raise ConfigError(f"{where}: cadence {subscription.cadence!r}: expected daily, weekly or a crontab line")
    cron_trigger(subscription.crontab, subscription.timezone, where)


def table_text(subscription: Subscription) -> str:
    """The TOML table `add` appends: only the keys that differ from the defaults."""
    lines = [f"[subscriptions.{subscription.name}]"]
    values: list[tuple[str, Any]] = [
        ("tags", [",".join(group) for group in subscription.tags]), ("query", subscription.query),
        ("sources", list(subscription.sources)), ("min_upvotes", subscription.min_upvotes),
        ("recipients", list(subscription.recipients)), ("cadence", subscription.cadence),
        ("since", subscription.since), ("send_empty", subscription.send_empty or None),
    ]
    for key, value in values:
        if value in (None, [], ""):
            continue
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def add(config_dir: Path, subscription: Subscription) -> Path:
    """Append the subscription's table; refuses a name already there."""
    path = path_in(config_dir)
    existing = load(config_dir)
    if subscription.name in existing:
        raise ConfigError(f"{path}: subscription {subscription.name!r} exists already (remove it first)")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = text + ("\n" if text and not text.endswith("\n\n") else "") + table_text(subscription)
    from_table(subscription.name, tomllib.loads(updated)["subscriptions"][subscription.name], str(path))
    _replace(path, updated)
    return path


def remove(config_dir: Path, name: str) -> Path:
    """Delete the subscription's table (its header up to the next table header)."""
    path = path_in(config_dir)
    if name not in load(config_dir):
        raise ConfigError(f"{path}: no subscription {name!r}")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = re.compile(rf"^\s*\[\s*subscriptions\.(?:{re.escape(name)}|\"{re.escape(name)}\")\s*\]")
    start = next(i for i, line in enumerate(lines) if header.match(line))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    updated = "".join(lines[:start] + lines[end:])
    if name in tomllib.loads(updated).get("subscriptions", {}):
        raise ConfigError(f"{path}: subscription {name!r} is written in a form `remove` cannot edit; edit the file")
    _replace(path, updated)
    return path


def _replace(path: Path, text: str) -> None:
    """Write beside the file and rename, so a crash never leaves half a configuration."""
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
