"""Per-host pacing shared by every process on the machine.

arXiv asks for at most one request every three seconds and one connection at
a time, from all of a user's machines together; a scheduled run and a manual
one-off must therefore share one limiter. Each paced host has one file in
the state directory: `fcntl.flock` on it is the single-connection token (the
kernel releases it if the holder dies, so a killed run never wedges the
next), and its content is the shared memory of when the last request started
and until when the host asked everyone to stay away (Retry-After).
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from pipeline.statefile import lock_within, open_state_file

_UNSAFE = re.compile(r"[^a-z0-9._-]")
_LOCK_POLL = 0.05


class PacingTimeout(Exception):
    """Our turn at a host is further away than we are willing to wait."""

    def __init__(self, message: str, wait: float | None, rate_limited: bool) -> None:
        super().__init__(message)
        self.wait = wait
        self.rate_limited = rate_limited


class HostTurn:
    """The exclusive right to talk to one host, held for one exchange."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def defer(self, seconds: float) -> None:
        """Ask every process to leave this host alone for `seconds` from now."""
        if self._fd is None or seconds <= 0:
            return
        last_start, not_before = _read_state(self._fd)
        _write_state(self._fd, last_start, max(not_before, time.time() + seconds))

    def clear(self) -> None:
        """The host answered: whatever pause it asked for before is over."""
        if self._fd is None:
            return
        last_start, not_before = _read_state(self._fd)
        if not_before:
            _write_state(self._fd, last_start, 0.0)


def _read_state(fd: int) -> tuple[float, float]:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 128).decode("ascii", "replace").split()
    try:
        return float(text[0]), float(text[1])
    except (IndexError, ValueError):
        return 0.0, 0.0  # new or damaged file: nothing to honour


def _write_state(fd: int, last_start: float, not_before: float) -> None:
    data = f"{last_start:.6f} {not_before:.6f}\n".encode("ascii")
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, data)
    os.ftruncate(fd, len(data))


def _lock(fd: int, give_up_after: float, host: str) -> None:
    """flock with a bound: a peer stuck in a long exchange must not hold us forever."""
    if not lock_within(fd, give_up_after, _LOCK_POLL):
        raise PacingTimeout(
            f"another process has held the connection to {host} for over {give_up_after:g} s",
            None, rate_limited=False)


@contextmanager
def host_turn(
    host: str,
    interval: float,
    state_dir: Path,
    max_wait: float,
    lock_wait: float,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[HostTurn]:
    """Wait for our turn at `host`, then hold it for the body of the `with`.

    Unpaced hosts (interval 0) get a turn at once and touch no files.
    Request starts are stamped in wall-clock time because the stamp is read
    by other processes; a stamp from the future (clock stepped back) is
    treated as at most one interval away.
    """
    if interval <= 0:
        yield HostTurn(None)
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / f"pace-{_UNSAFE.sub('_', host.lower())}"
    fd = open_state_file(path)
    try:
        _lock(fd, lock_wait, host)
        last_start, not_before = _read_state(fd)
        now = time.time()
        wait = max(min(interval, last_start + interval - now), not_before - now, 0.0)
        if wait > max_wait:
            # Fail now, but never let a pause outlast max_wait from here: one written by an
            # older version (a 31-year Retry-After) would otherwise close the host for good.
            _write_state(fd, last_start, min(not_before, now + max_wait))
            raise PacingTimeout(
                f"{host} asked for a pause of {wait:.0f} s, longer than max_wait {max_wait:g} s",
                wait, rate_limited=True)
        if wait > 0:
            sleep(wait)
        _write_state(fd, time.time(), not_before)
        yield HostTurn(fd)
    finally:
        os.close(fd)  # closing the only descriptor releases the flock
