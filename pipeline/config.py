"""Reading `config/`: named sources (`sources.toml`) and fetch settings (`settings.toml`).

Configuration errors are found when it is loaded, before anything is fetched,
and reported as one line naming the file, the source and the problem.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.expectations import EXPECT_KEYS, expectation
from pipeline.http import HttpSettings
from pipeline.resources import shipped_path

DEFAULT_DB = "papers.db"
SOURCE_KINDS = {
    "hf-daily": {"base_url"},
    "hf-search": {"base_url", "query"},
    "arxiv-rss": {"base_url", "categories"},
    "arxiv-api": {"base_url", "categories", "page_size", "empty_retries"},
    "biorxiv": {"base_url", "server", "category", "subject", "rss_base_url"},
    "feed": {"url"},
}
REQUIRED_KEYS = {"arxiv-rss": {"categories"}, "arxiv-api": {"categories"}, "biorxiv": {"server"}, "feed": {"url"}}
COMMON_KEYS = {"name", "kind", "enabled"}
# When `paperfeed schedule` runs a source and how far it catches up; every kind accepts them.
SCHEDULE_KEYS = {"schedule", "timezone", "catch_up_days"}


class ConfigError(Exception):
    """A configuration file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass
class Config:
    directory: Path
    sources: dict[str, SourceConfig]
    http: HttpSettings
    settings: dict[str, Any]

    def source(self, name: str) -> SourceConfig | None:
        return self.sources.get(name)


def default_config_dir() -> Path:
    return Path(os.environ["PAPERFEED_CONFIG"]) if os.environ.get("PAPERFEED_CONFIG") else shipped_path("config")


def default_db_path() -> Path:
    return Path(os.environ.get("PAPERFEED_DB") or DEFAULT_DB)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load_config(directory: str | os.PathLike | None = None) -> Config:
    directory = Path(directory) if directory else default_config_dir()
    if not directory.is_dir():
        raise ConfigError(f"{directory}: configuration folder not found")
    sources_file = directory / "sources.toml"
    sources: dict[str, SourceConfig] = {}
    for index, table in enumerate(_read_toml(sources_file).get("source", [])):
        source = _source_from_table(sources_file, index, table)
        if source.name in sources:
            raise ConfigError(f"{sources_file}: source {source.name!r} is defined twice")
        sources[source.name] = source
    settings_file = directory / "settings.toml"
    settings = _read_toml(settings_file)
    try:
        http = HttpSettings.from_mapping(settings.get("http", {}))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{settings_file}: [http]: {exc}") from None
    return Config(directory=directory, sources=sources, http=http, settings=settings)


def _source_from_table(path: Path, index: int, table: dict[str, Any]) -> SourceConfig:
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{path}: source #{index + 1} has no name")
    kind = table.get("kind")
    if kind not in SOURCE_KINDS:
        known = ", ".join(sorted(SOURCE_KINDS))
        raise ConfigError(f"{path}: source {name!r}: unknown kind {kind!r} (known: {known})")
    unknown = set(table) - COMMON_KEYS - SCHEDULE_KEYS - EXPECT_KEYS - SOURCE_KINDS[kind]
    if unknown:
        raise ConfigError(f"{path}: source {name!r}: unknown keys {', '.join(sorted(unknown))}")
    missing = REQUIRED_KEYS.get(kind, set()) - set(table)
    if missing:
        raise ConfigError(f"{path}: source {name!r}: kind {kind} needs {', '.join(sorted(missing))}")
    options = {key: value for key, value in table.items() if key not in COMMON_KEYS}
    try:
        expectation(kind, options)
    except ValueError as exc:
        raise ConfigError(f"{path}: source {name!r}: {exc}") from None
    problem = _option_problem(options)
    if problem:
        raise ConfigError(f"{path}: source {name!r}: {problem}")
    return SourceConfig(name=name, kind=kind, options=options, enabled=bool(table.get("enabled", True)))


def _option_problem(options: dict[str, Any]) -> str | None:
    categories = options.get("categories")
    if categories is not None and (
        not isinstance(categories, list) or not categories or not all(isinstance(c, str) and c for c in categories)
    ):
        return "categories must be a non-empty list of arXiv categories, e.g. [\"eess.IV\", \"cs.CV\"]"
    if "server" in options and options["server"] not in ("biorxiv", "medrxiv"):
        return f"server must be \"biorxiv\" or \"medrxiv\", not {options['server']!r}"
    for key in ("page_size", "empty_retries"):
        value = options.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < (1 if key == "page_size" else 0)):
            return f"{key} must be a whole number" + (" >= 1" if key == "page_size" else " >= 0")
    for key in ("url", "base_url", "rss_base_url"):
        value = options.get(key)
        if value is not None and (not isinstance(value, str) or not value.startswith(("http://", "https://"))):
            return f"{key} must be an http(s) URL"
    return None
