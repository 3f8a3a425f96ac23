"""Is the linked SQLite library one with the WAL-reset bug?

SQLite documents a data race (https://sqlite.org/wal.html#walresetbug) that can
corrupt a database or lose committed writes when two connections in WAL mode
write or checkpoint at the same moment: exactly paperfeed's situation while
people query during an ingest. It is in every release from 3.7.0 to 3.51.2 and
fixed in 3.51.3, with the fix backported to 3.44.6 and 3.50.7. A distribution
may have patched its own build without changing the version number, so this
can only warn, not refuse.
"""

from __future__ import annotations

import os
import sqlite3
import sys

FIRST_AFFECTED = (3, 7, 0)
FIXED_IN = (3, 51, 3)
FIXED_BACKPORTS = ((3, 44, 6), (3, 50, 7))  # fixed from this patch release on, within its minor series
SILENCE_ENV = "PAPERFEED_SQLITE_WAL_CHECK"  # "off": the library is known to be patched

_warned = False


def wal_reset_bug_affected(version: tuple[int, ...]) -> bool:
    version = tuple(version[:3])
    if not FIRST_AFFECTED <= version < FIXED_IN:
        return False
    return not any(version[:2] == fixed[:2] and version >= fixed for fixed in FIXED_BACKPORTS)


def warning_line(version: str) -> str:
    """Short, with the remedy: printed by `status`, `doctor` and when `schedule` starts, nowhere else."""
    return (f"paperfeed: warning: SQLite {version} has the WAL-reset bug (https://sqlite.org/wal.html#walresetbug):"
            f" use a Python with SQLite >= 3.51.3, or {SILENCE_ENV}=off if patched")


def warn_if_affected(stream=None) -> bool:
    """One line on stderr, once per process, when the linked library is affected."""
    global _warned
    affected = wal_reset_bug_affected(sqlite3.sqlite_version_info)
    if affected and not _warned and os.environ.get(SILENCE_ENV, "").lower() != "off":
        _warned = True
        print(warning_line(sqlite3.sqlite_version), file=stream or sys.stderr)
    return affected
