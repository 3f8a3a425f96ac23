"""Opening the small files paperfeed keeps beside its data (source locks, host pacing).

They live in folders other people may write to (a shared cache, the
database's folder), so a planted symbolic link must not make us truncate or
overwrite whatever it points at: the file is opened with O_NOFOLLOW and must
turn out to be a regular file, or it is refused with one line saying so.
"""

from __future__ import annotations

import errno
import os
import stat


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
