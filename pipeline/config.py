"""Reading `config/`: named sources (`sources.toml`), settings (`settings.toml`), tag rules (`tags.toml`).

Everything is typed and checked when it is loaded, before anything is
fetched: a string where a boolean, number or list belongs is an error, never
truthy. A problem is one line naming the file, the source or section, and
the key (the CLI exits 2 on it). A folder that lacks one of the three files
uses the shipped one for that file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pipeline.http import HttpSettings
from pipeline.http.safety import host_of
from pipeline.kinds import KINDS, Expectation, SourceKind, kind_named
from pipeline.kinds.registry import option_problem
from pipeline.resources import shipped_path

DEFAULT_DB = "papers.db"
CONFIG_FILES = ("sources.toml", "settings.toml", "tags.toml")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class SourceConfig:
    """One [[source]] of `sources.toml`, its options checked against its kind's declaration."""

    name: str
    kind: str
    options: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    @property
    def kind_type(self) -> type[SourceKind]:
        return kind_named(self.kind)

    def make(self, http: HttpSettings | None = None) -> SourceKind:
        """The kind bound to this source's options, ready to plan and fetch."""
        return self.kind_type(self.name, self.options, http)

    @property
    def expectation(self) -> Expectation:
        default = self.kind_type.expect
        return Expectation(self.options.get("expect_entries", default.entries),
                           float(self.options.get("expect_every_hours", default.every_hours)))

    @property
    def schedule_line(self) -> tuple[str, str]:
        """The crontab line and its time zone: configured, else the kind's default."""
        expression, zone = self.kind_type.schedule
        return str(self.options.get("schedule", expression)), str(self.options.get("timezone", zone))


def _checked_numbers(cls, table: Mapping[str, Any], where: str):
    """A settings dataclass of numbers >= 0 from its table: unknown keys and wrong types are errors."""
    known = {f.name: f.default for f in fields(cls)}
    unknown = set(table) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    values = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{where} {key} = {value!r}: expected a number >= 0")
        if isinstance(known[key], int) and not isinstance(known[key], float) and not float(value).is_integer():
            raise ConfigError(f"{where} {key} = {value!r}: expected a whole number >= 0")
        values[key] = type(known[key])(value)
    return cls(**values)


@dataclass(frozen=True)
class ScheduleSettings:
    """`[schedule]`: how `paperfeed schedule`, `ingest --all` and manual runs share the database."""

    lock_wait: float = 0.0  # seconds to wait for another run of the same source; 0 = skip at once
    catch_up_days: int = 7  # how many past days a run may fetch after downtime
    misfire_grace_time: int = 3600  # a job this late (suspended machine, busy pool) still runs
    shutdown_timeout: float = 20.0  # on SIGTERM, how long a running job may take to finish
    heartbeat_seconds: float = 60.0  # how often the scheduler writes its `(scheduler)` heartbeat
    workers: int = 2  # sources ingested at the same time
    max_pages_per_day: int = 1000  # a paged day ends after this many pages, with a note

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "settings.toml") -> ScheduleSettings:
        return _checked_numbers(cls, table, f"{where}: [schedule]")


@dataclass(frozen=True)
class StorageSettings:
    """`[storage]`: what is kept beyond papers and runs."""

    keep_raw: bool = False  # every raw response, so `paperfeed reparse` can rebuild without fetching


# `[smtp]` keys and their types; the section is used (and its host required) only to send mail.
SMTP_TYPES: Mapping[str, type | tuple[type, ...]] = {
    "host": str, "port": int, "starttls": bool, "from": str, "user": str, "user_env": str,
    "password_env": str, "timeout": (int, float), "cafile": str,
}


@dataclass
class Config:
    directory: Path
    sources: dict[str, SourceConfig]
    http: HttpSettings
    settings: dict[str, Any]
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    tags_path: Path | None = None

    def source(self, name: str) -> SourceConfig | None:
        return self.sources.get(name)

    def catch_up_days(self, source: SourceConfig) -> int:
        return source.option("catch_up_days", self.schedule.catch_up_days)


def default_config_dir() -> Path:
    return Path(os.environ["PAPERFEED_CONFIG"]) if os.environ.get("PAPERFEED_CONFIG") else shipped_path("config")


def default_db_path() -> Path:
    return Path(os.environ.get("PAPERFEED_DB") or DEFAULT_DB)


def config_file(directory: Path, name: str) -> Path:
    """The folder's own file, or the shipped one when the folder has none."""
    own = directory / name
    return own if own.exists() else shipped_path("config") / name


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {' '.join(str(exc).split())}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None


def load_config(directory: str | os.PathLike | None = None) -> Config:
    directory = Path(directory) if directory else default_config_dir()
    if not directory.is_dir():
        raise ConfigError(f"{directory}: configuration folder not found")
    sources_file = config_file(directory, "sources.toml")
    tables = _read_toml(sources_file).get("source", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{sources_file}: `source` must be a list of [[source]] tables")
    sources: dict[str, SourceConfig] = {}
    for index, table in enumerate(tables):
        source = _source_from_table(sources_file, index, table)
        if source.name in sources:
            raise ConfigError(f"{sources_file}: source {source.name!r} is defined twice")
        sources[source.name] = source
    settings_file = config_file(directory, "settings.toml")
    settings = _read_toml(settings_file)
    unknown = set(settings) - {"http", "schedule", "storage", "smtp", "zotero"}
    if unknown:
        raise ConfigError(f"{settings_file}: unknown sections {', '.join(sorted(unknown))}")
    _section(settings_file, settings, "smtp")
    http = _http(settings_file, _section(settings_file, settings, "http"))
    http = replace(http, own_hosts=_configured_hosts(sources.values()))
    return Config(directory=directory, sources=sources, http=http,
                  settings=settings,
                  schedule=ScheduleSettings.from_table(_section(settings_file, settings, "schedule"), str(settings_file)),
                  storage=_storage(settings_file, _section(settings_file, settings, "storage")),
                  tags_path=config_file(directory, "tags.toml"))


def _configured_hosts(sources) -> tuple[str, ...]:
    """Hosts of the URLs written in sources.toml (`url`, `base_url`, ...): the user's to fetch wherever they are.

    Only URLs the file states count; a kind's built-in default is not the
    user's word, so it stays under the public-address rule.
    """
    hosts = set()
    for source in sources:
        for key, value in source.options.items():
            if key.endswith("url") and isinstance(value, str):
                host = host_of(value)
                if host:
                    hosts.add(host)
    return tuple(sorted(hosts))


def _section(path: Path, settings: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = settings.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    if name == "smtp":
        _check_types(path, name, table, SMTP_TYPES)
    return table


def _check_types(path: Path, section: str, table: Mapping[str, Any],
                 types: Mapping[str, type | tuple[type, ...]]) -> None:
    for key, value in table.items():
        wanted = types.get(key)
        if wanted is None:
            continue  # unknown keys are named by the section's own reader
        wanted = wanted if isinstance(wanted, tuple) else (wanted,)
        if (isinstance(value, bool) and bool not in wanted) or not isinstance(value, wanted):
            raise ConfigError(f"{path}: [{section}] {key} = {value!r}: expected {_names(wanted)}")
        if list in wanted and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{path}: [{section}] {key} = {value!r}: expected a list of strings")


def _names(types: tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list of strings", dict: "a table"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _http(path: Path, table: Mapping[str, Any]) -> HttpSettings:
    """`[http]`, each key typed like HttpSettings' default; kinds' politeness under the table's pacing."""
    defaults = HttpSettings()
    types: dict[str, tuple[type, ...]] = {}
    for f in fields(HttpSettings):
        value = getattr(defaults, f.name)
        types[f.name] = ((list,) if isinstance(value, tuple) else (dict,) if isinstance(value, Mapping)
                         else (str,) if isinstance(value, (str, Path)) else (bool,) if isinstance(value, bool)
                         else (int,) if isinstance(value, int) else (int, float))
    _check_types(path, "http", table, types)
    intervals = table.get("min_interval", {})
    _check_types(path, "http.min_interval", intervals, dict.fromkeys(intervals, (int, float)))
    politeness = {host: seconds for kind in KINDS.values() for host, seconds in kind.politeness.items()}
    try:
        return HttpSettings.from_mapping({**table, "min_interval": {**politeness, **intervals}})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: [http]: {exc}") from None


def _storage(path: Path, table: Mapping[str, Any]) -> StorageSettings:
    unknown = set(table) - {f.name for f in fields(StorageSettings)}
    if unknown:
        raise ConfigError(f"{path}: [storage]: unknown keys {', '.join(sorted(unknown))}")
    _check_types(path, "storage", table, {"keep_raw": bool})
    return StorageSettings(**table)


def _source_from_table(path: Path, index: int, table: Any) -> SourceConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: source #{index + 1} is not a table")
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{path}: source #{index + 1} has no name")
    try:
        kind = kind_named(table.get("kind"))
    except ValueError as exc:
        raise ConfigError(f"{path}: source {name!r}: {exc}") from None
    problem = option_problem(kind, table)
    if problem:
        raise ConfigError(f"{path}: source {name!r}: {problem}")
    options = {key: value for key, value in table.items() if key not in ("name", "kind", "enabled")}
    source = SourceConfig(name=name, kind=kind.name, options=options, enabled=table.get("enabled", True))
    if "schedule" in options or "timezone" in options:
        from pipeline.run.scheduler import source_trigger  # the scheduler's own reading, at load

        source_trigger(source, f"{path}: source {name!r}")
    return source
