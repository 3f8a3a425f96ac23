"""How long to wait before asking a server again.

Servers say it in three ways: `Retry-After` (RFC 9110: delta-seconds or an
HTTP-date), the IETF RateLimit draft that Hugging Face sends on 429
(`RateLimit: "api";r=0;t=55`, `t` being seconds until the window resets) and
its older spelling (`RateLimit-Remaining: 0` + `RateLimit-Reset: 55`, or
`RateLimit: limit=100, remaining=0, reset=55`). A server's word beats our own
exponential backoff; anything unparseable is ignored rather than trusted.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Mapping

_DELTA_SECONDS = re.compile(r"^\s*(\d{1,12})\s*$")
_NUMBER = re.compile(r"^\s*\"?(\d{1,12}(?:\.\d+)?)\"?\s*$")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait according to a Retry-After value, or None if unusable."""
    if not value:
        return None
    match = _DELTA_SECONDS.match(value)
    if match:
        return float(match.group(1))
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None  # an HTTP-date is always GMT; a zoneless one is not one
    try:
        target = when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
    return max(0.0, target - (time.time() if now is None else now))


def _number(text: str) -> float | None:
    match = _NUMBER.match(text)
    return float(match.group(1)) if match else None


def parse_ratelimit(headers: Mapping[str, str]) -> float | None:
    """Seconds until an exhausted rate-limit window resets, or None.

    Only exhausted windows (remaining == 0) count: a reset time for a window
    with quota left is no reason to wait.
    """
    waits: list[float] = []
    for member in (headers.get("ratelimit") or "").split(","):
        params: dict[str, str] = {}
        for part in member.split(";"):
            key, sep, val = part.partition("=")
            if sep:
                params[key.strip().lower()] = val.strip()
        remaining = _number(params.get("r", params.get("remaining", "")))
        reset = _number(params.get("t", params.get("reset", "")))
        if reset is not None and remaining == 0:
            waits.append(reset)
    # Old draft: one key per header; the `limit=..., remaining=..., reset=...` form
    # is split across members above, so look at the whole header as well.
    whole = {
        k.strip().lower(): v
        for k, _, v in (p.partition("=") for p in re.split(r"[,;]", headers.get("ratelimit") or ""))
    }
    remaining_values = [headers.get("ratelimit-remaining", ""), whole.get("remaining", "")]
    reset_values = [headers.get("ratelimit-reset", ""), whole.get("reset", "")]
    for remaining_text, reset_text in zip(remaining_values, reset_values):
        remaining, reset = _number(remaining_text), _number(reset_text)
        if remaining == 0 and reset is not None:
            waits.append(reset)
    return max(waits) if waits else None


def server_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The longest wait any of the server's hints asks for (lower-case header keys)."""
    hints = [parse_retry_after(headers.get("retry-after"), now), parse_ratelimit(headers)]
    hints = [h for h in hints if h is not None and math.isfinite(h)]
    return max(hints) if hints else None


def backoff(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter for retry number `attempt` (0-based).

    Half the delay is fixed and half random ("equal jitter"): clients that
    failed together spread out, yet each still waits at least half the
    exponential delay, so a struggling server really gets a rest.
    """
    delay = min(cap, base * (2 ** min(attempt, 30)))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


# How a wait is spent: `time.sleep`, or the command line's progress bar while a person watches.
_wait_out: Callable[[float, str], None] = lambda seconds, why: time.sleep(seconds)


def show_waits_with(wait_out: Callable[[float, str], None]) -> None:
    """Replace how waits are spent (the CLI shows a bar on a terminal); it must take `seconds`."""
    global _wait_out
    _wait_out = wait_out


def wait_out(seconds: float, why: str) -> None:
    """Wait before asking a server again (`why` says what for, for a display)."""
    _wait_out(seconds, why)
