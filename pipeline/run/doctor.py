"""`paperfeed doctor`: every check a new installation or a broken cron job needs, in one pass.

Each check returns `Finding`s (what was looked at, whether it is fine, what
was found, and for a problem what to do about it). Nothing is changed: the
database is opened read-only (see `store.checkup`), lock and pace files are
only read. Host resolution runs in threads with a bound, so a resolver that
hangs is reported as such instead of hanging the command.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.config import Config, ConfigError, load_config
from pipeline.kinds import Unit
from pipeline.run.locking import SourceLock
from pipeline.store.checkup import Finding, check_database
from pipeline.store.sqlite_version import SILENCE_ENV, wal_reset_bug_affected
from pipeline.tagging import RuleError, load_rules

RESOLVE_SECONDS = 5.0  # all hosts together


def diagnose(config_dir: Path | None, db_path: Path) -> list[Finding]:
    findings: list[Finding] = []
    try:
        config = load_config(config_dir)
    except ConfigError as exc:
        findings.append(Finding("config", False, str(exc), "fix the file and key named"))
        config = None
    if config is not None:
        enabled = [source for source in config.sources.values() if source.enabled]
        findings.append(Finding("config", True, f"{config.directory}: {len(config.sources)} sources,"
                                f" {len(enabled)} enabled"))
        findings.append(_rules(config))
    findings.append(sqlite_build())
    findings.extend(_database(db_path))
    state_dir = db_path.resolve().parent
    findings.extend(lock_files(db_path))
    if config is not None:
        findings.extend(pace_files(state_dir, config.http.max_wait))
        findings.extend(hosts_resolve(config))
    return findings


def _rules(config: Config) -> Finding:
    try:
        rules = load_rules(config.tags_path)
    except RuleError as exc:
        return Finding("rules", False, str(exc), "fix the rule named; `paperfeed tag --explain` tries rules on text")
    return Finding("rules", True, f"{config.tags_path}: version {rules.version}")


def sqlite_build() -> Finding:
    version = sqlite3.sqlite_version
    with sqlite3.connect(":memory:") as conn:
        options = {row[0] for row in conn.execute("PRAGMA compile_options")}
    if "ENABLE_FTS5" not in options:
        return Finding("sqlite", False, f"SQLite {version} has no FTS5", "use a Python whose SQLite has FTS5")
    if wal_reset_bug_affected(sqlite3.sqlite_version_info):
        if os.environ.get(SILENCE_ENV, "").lower() == "off":
            return Finding("sqlite", True, f"SQLite {version}: WAL-reset bug range, {SILENCE_ENV}=off says patched")
        return Finding("sqlite", False, f"SQLite {version} has the WAL-reset bug (https://sqlite.org/wal.html#walresetbug)",
                       f"use a Python with SQLite >= 3.51.3, or set {SILENCE_ENV}=off if your build is patched")
    return Finding("sqlite", True, f"SQLite {version}, FTS5")


def _database(db_path: Path) -> list[Finding]:
    if not db_path.exists():
        return [Finding("database", False, f"no database at {db_path.resolve()}",
                        "give --db PATH, PAPERFEED_DB or [storage] db; `paperfeed ingest` creates one")]
    return [Finding("database", True, str(db_path.resolve())), *check_database(db_path)]


def _file_problem(path: Path) -> str | None:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return f"{path} is a symlink (to {os.readlink(path)}): paperfeed would write through it"
    if not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file"
    if not os.access(path, os.R_OK | os.W_OK):
        return f"{path} is not readable and writable by this user"
    return None


def lock_files(db_path: Path) -> list[Finding]:
    findings = []
    prefix = f"{db_path.name}."
    for path in sorted(db_path.resolve().parent.glob(f"{db_path.name}.*.lock")):
        problem = _file_problem(path)
        source = path.name[len(prefix):-len(".lock")]
        if problem:
            findings.append(Finding(f"lock {source}", False, problem, f"remove {path}; the next run recreates it"))
            continue
        lock = SourceLock(db_path, source)
        if lock.acquire():
            lock.release()
            findings.append(Finding(f"lock {source}", True, f"{path.name}: free"))
        else:
            findings.append(Finding(f"lock {source}", True, f"{path.name}: held by pid {lock.holder_pid()}"
                                    " (a run in progress)"))
    return findings


def pace_files(state_dir: Path, max_wait: float) -> list[Finding]:
    """Each host's shared pacing file: readable, and not holding the host back longer than `max_wait`."""
    findings = []
    for path in sorted(state_dir.glob("pace-*")):
        host = path.name[len("pace-"):]
        remedy = f"delete {path}; it only holds the host's next turn"
        if problem := _file_problem(path):
            findings.append(Finding(f"pace {host}", False, problem, remedy))
            continue
        fields = path.read_text(encoding="ascii", errors="replace").split()
        try:
            not_before = float(fields[1])
        except (IndexError, ValueError):
            findings.append(Finding(f"pace {host}", False, f"{path.name}: unreadable content {fields[:2]}", remedy))
            continue
        ahead = not_before - time.time()
        if ahead > max_wait:
            until = datetime.fromtimestamp(not_before, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            findings.append(Finding(f"pace {host}", False, f"{path.name}: host held back until {until},"
                                    f" beyond [http] max_wait {max_wait:g} s", remedy))
        else:
            findings.append(Finding(f"pace {host}", True, f"{path.name}: "
                                    + (f"next turn in {ahead:.0f} s" if ahead > 0 else "free")))
    return findings


def source_hosts(config: Config) -> dict[str, list[str]]:
    """Host name -> the enabled sources that fetch from it (as each would fetch its next unit)."""
    hosts: dict[str, list[str]] = {}
    for source in config.sources.values():
        if not source.enabled:
            continue
        kind = source.make(config.http)
        try:
            plan = kind.plan(Unit(day=kind.default_day() if kind.dates else None))
        except ValueError:
            continue  # named by the run itself (a search without a query); not a host question
        host = urlsplit(plan.target).hostname
        if host:
            hosts.setdefault(host, []).append(source.name)
    return hosts


def hosts_resolve(config: Config, budget: float = RESOLVE_SECONDS) -> list[Finding]:
    hosts = source_hosts(config)
    pool = ThreadPoolExecutor(max_workers=min(8, len(hosts) or 1))
    futures = {host: pool.submit(socket.getaddrinfo, host, None) for host in hosts}
    wait(futures.values(), timeout=budget)
    pool.shutdown(wait=False, cancel_futures=True)
    findings = []
    for host, future in futures.items():
        used_by = ", ".join(hosts[host])
        remedy = "check DNS and the network, or those sources' base_url/url"
        if not future.done():
            findings.append(Finding(f"host {host}", False, f"did not resolve within {budget:g} s ({used_by})", remedy))
        elif future.exception() is not None:
            findings.append(Finding(f"host {host}", False, f"does not resolve: {future.exception()} ({used_by})",
                                    remedy))
        else:
            findings.append(Finding(f"host {host}", True, f"resolves to {future.result()[0][4][0]} ({used_by})"))
    return findings
