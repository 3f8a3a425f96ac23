"""HTTP for every source: one place for timeouts, identification and errors."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests


@dataclass
class HttpSettings:
    user_agent: str = "paperfeed/0.1 (+https://github.com/paperfeed/paperfeed)"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 120.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 4
    backoff_base: float = 1.0
    max_wait: float = 300.0
    allow_private: tuple[str, ...] = ()
    min_interval: dict[str, float] = field(default_factory=dict)
    state_dir: Path | None = None

    @classmethod
    def from_mapping(cls, mapping: dict) -> HttpSettings:
        known = {k: v for k, v in mapping.items() if k in cls.__dataclass_fields__}
        if "allow_private" in known:
            known["allow_private"] = tuple(known["allow_private"])
        return cls(**known)


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int
    body: bytes
    headers: dict[str, str]
    elapsed: float
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_sha256: str = ""


class FetchError(Exception):
    def __init__(self, message: str, *, url: str, status: int | None = None,
                 rate_limited: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.url = url
        self.status = status
        self.rate_limited = rate_limited
        self.retry_after = retry_after


def fetch(url: str, settings: HttpSettings, *, etag: str | None = None,
          last_modified: str | None = None, accept: str | None = None) -> FetchResult:
    headers = {"User-Agent": settings.user_agent}
    if accept:
        headers["Accept"] = accept
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    try:
        response = requests.get(url, headers=headers, timeout=(settings.connect_timeout, settings.read_timeout))
    except requests.RequestException as exc:
        raise FetchError(f"GET {url}: {type(exc).__name__}: {exc}", url=url) from None
    if response.status_code >= 400:
        raise FetchError(f"GET {url}: HTTP {response.status_code} {response.reason}", url=url,
                         status=response.status_code)
    body = response.content
    return FetchResult(url=url, final_url=response.url, status=response.status_code, body=body,
                       headers={k.lower(): v for k, v in response.headers.items()},
                       elapsed=time.monotonic() - started,
                       content_sha256=hashlib.sha256(body).hexdigest())
