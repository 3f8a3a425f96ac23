"""One writer per source across processes: `flock` on a file next to the database.

APScheduler's `max_instances` only counts runs inside one scheduler process; a
manual `paperfeed ingest`, a cron line and a second scheduler are other
processes. An advisory `flock` is held by an open file, so the kernel drops it
when its holder exits or is killed: a crash never leaves a lock to clean up.
The lock files stay in place between runs on purpose; deleting a lock file
while another process waits on it would let two holders in.

Two opens of one file within a process conflict as well (flock belongs to the
open file, not to the process), so threads of one scheduler exclude each other
the same way separate processes do.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pipeline.statefile import lock_within, open_state_file

POLL_SECONDS = 0.1


def lock_path(db_path: str | os.PathLike, source: str) -> Path:
    """`<db>.<source>.lock`, with anything unsafe in a file name replaced."""
    db_path = Path(db_path)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", source)
    return db_path.with_name(f"{db_path.name}.{safe}.lock")


class SourceLock:
    """The right to ingest one source into one database."""

    def __init__(self, db_path: str | os.PathLike, source: str):
        self.path = lock_path(db_path, source)
        self.source = source
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, waiting up to `wait` seconds; False if another run still holds it."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path}: already held by this object")
        fd = open_state_file(self.path)  # StateFileRefused for a planted symlink
        if not lock_within(fd, wait, POLL_SECONDS):
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the last descriptor drops the flock

    def holder_pid(self) -> int | None:
        """The pid the current holder wrote, for the "another run is active" message."""
        try:
            text = self.path.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def __enter__(self) -> SourceLock:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
