"""The small files paperfeed keeps beside its data (source locks, host pacing), and their writers.

They live in folders other people may write to (a shared cache, the
database's folder), so a planted symbolic link must not make us truncate or
overwrite whatever it points at: the file is opened with O_NOFOLLOW and must
turn out to be a regular file, or it is refused with one line saying so.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time


class StateFileRefused(OSError):
    """A lock or pacing file that is a symbolic link or not a regular file."""


def open_state_file(path: str | os.PathLike) -> int:
    """A read-write descriptor on `path`, created with mode 0644 if missing; never through a symlink."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StateFileRefused(exc.errno, f"{path} is a symbolic link; refusing to write through it") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StateFileRefused(errno.EINVAL, f"{path} is not a regular file; refusing to use it")
    return fd


def lock_within(fd: int, seconds: float, poll: float = 0.02) -> bool:
    """Take an exclusive flock on `fd`, trying for up to `seconds`; False if another holder kept it.

    Polled rather than blocking, so the wait has a bound; the kernel drops
    the lock when its holder closes the file or dies, so a killed holder
    never wedges the next one.
    """
    give_up_at = time.monotonic() + max(seconds, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= give_up_at:
            return False
        time.sleep(poll)


def pid_alive(pid: int | None) -> bool:
    """Whether process `pid` still runs on this host (a pid recorded by a lock, a run or a `.part` file)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True
