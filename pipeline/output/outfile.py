"""Writing an export to a file: complete or not at all, never over the database, readable like any new file.

The text goes to `.<name>.<pid>-<random>.part` beside the target and is
renamed over it only once complete, so a reader (a web server, a feed
reader) never sees half a file and a failed export leaves the old one in
place. A killed export cannot remove its `.part`; the next export to the
same path removes those whose process is gone. The file gets the mode a
new file gets under the umask (a temporary file's 0600 would hide it from
the web server meant to serve it).
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from pipeline.statefile import pid_alive

DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class OutputRefused(Exception):
    """An output path that must not be written (`usage`), or a write that failed; the message is one line."""

    def __init__(self, message: str, usage: bool = True) -> None:
        super().__init__(message)
        self.usage = usage


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_output_path(path: Path, protected: Sequence[Path]) -> None:
    """Refuse `path` if it is (or links to) the database or one of its -wal/-shm/-journal files."""
    for database in protected:
        for suffix in DATABASE_SUFFIXES:
            own = database.with_name(database.name + suffix)
            if _same_file(path, own):
                raise OutputRefused(f"-o {path}: that is the database{' ' + suffix[1:] + ' file' if suffix else ''}"
                                    f" ({own}); choose another output file")


def remove_stale_parts(path: Path) -> list[Path]:
    """Delete `.part` files of earlier exports to `path` whose process has ended."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)-[0-9a-f]+\.part$")
    removed = []
    try:
        candidates = list(path.parent.iterdir())
    except OSError:
        return removed
    for candidate in candidates:
        match = pattern.match(candidate.name)
        if match and not pid_alive(int(match.group(1))):
            try:
                candidate.unlink()
                removed.append(candidate)
            except OSError:
                pass
    return removed


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


@contextmanager
def atomic_output(path: Path, protected: Sequence[Path] = ()) -> Iterator[TextIO]:
    """A text stream whose content replaces `path` once the `with` block ends without error.

    OutputRefused (one line) when the path is the database, its folder is
    missing or unwritable, or the disk fills while writing; the target is
    then untouched and no `.part` is left behind.
    """
    path = Path(path)
    check_output_path(path, protected)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise OutputRefused(f"-o {path}: folder {folder} does not exist")
    if path.is_dir():
        raise OutputRefused(f"-o {path}: is a folder")
    target = folder / path.name
    remove_stale_parts(target)
    part = folder / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.part"
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise OutputRefused(f"-o {path}: cannot write in {folder}: {_why(exc)}", usage=False) from None
    try:
        try:
            with open(fd, "w", encoding="utf-8", newline="") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(part, _umask_mode())
            os.replace(part, target)
        except OSError as exc:
            raise OutputRefused(f"-o {path}: writing failed: {_why(exc)}; {path} left as it was", usage=False) from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def quiet_broken_pipe() -> None:
    """The reader of stdout went away (`paperfeed export | head`): stop at once, without a word.

    There is nothing left to do for a reader that is gone, and unwinding
    would only print noise: the flush of stdout at exit raises again, and
    half-read cursors complain about their closed database. So the process
    ends here with the status of a program ended by SIGPIPE (128 + 13).
    """
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(128 + signal.SIGPIPE)
