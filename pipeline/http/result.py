"""What a fetch hands back: the bytes and validators, or one line saying why not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchResult:
    """A successful exchange, after redirects and retries.

    `url` is what was asked for and is the key under which the caller keeps
    `etag` / `last_modified`; `final_url` is where the bytes came from.
    On a 304 `not_modified` is true, `body` is empty and the validators are
    the ones to keep (the server's if it sent new ones, else those we sent).
    """

    url: str
    final_url: str
    status: int
    body: bytes
    headers: dict[str, str]
    elapsed: float
    not_modified: bool
    etag: str | None
    last_modified: str | None
    content_sha256: str


class FetchError(Exception):
    """A fetch that produced no usable body.

    The message is always one line naming the URL, because it goes into the
    run ledger and onto the terminal unchanged. `rate_limited` marks failures
    where the server (or our own pacing) asked us to come back later, so the
    run can be recorded as rate-limited rather than failed; `retry_after` is
    then the number of seconds it asked for, when known.
    """

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        rate_limited: bool = False,
        retry_after: float | None = None,
    ) -> None:
        reason = " ".join(str(reason).split())
        super().__init__(f"GET {url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.rate_limited = rate_limited
        self.retry_after = retry_after

    def __reduce__(self):  # keep attributes across pickling (multiprocessing, logging queues)
        return (_rebuild_fetch_error, (self.url, self.reason, self.status, self.rate_limited, self.retry_after))


def _rebuild_fetch_error(url: str, reason: str, status: int | None, rate_limited: bool,
                         retry_after: float | None) -> FetchError:
    return FetchError(url, reason, status=status, rate_limited=rate_limited, retry_after=retry_after)


def describe_size(n: int) -> str:
    """Render a byte count the way people write caps: `20 MiB`, `512 KiB`."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    return f"{n} bytes"
