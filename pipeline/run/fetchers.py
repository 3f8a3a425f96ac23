"""Every request of one run, made conditional and remembered.

A run hands this object to the fetching code in place of `http.fetch`. It
sends the validators stored for the URL; a 304, or a body whose hash equals
the one stored, ends the run as `not-modified` before anything is parsed.
A saved file is treated the same way (`read_file`): its bytes are hashed and
compared with the last stored run of the same file, under its `file:` URL.
The first response stands for the listing: once one has changed, later pages
of the same run are fetched in full, since their content is needed.

It also keeps what the run ledger needs even when parsing fails (HTTP status,
bytes), and, with `keep_raw`, the raw responses for `paperfeed reparse`. What
it learned is returned as a `FetchRecord` the store writes with the run's
outcome. `Replay` stands in for it when `reparse` replays kept responses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline import http
from pipeline.http import FetchError, FetchResult, HttpSettings
from pipeline.store import Store, utc_now
from pipeline.store import http_cache, raw
from pipeline.store.fetch_record import FetchRecord
from pipeline.store.http_cache import CachedResponse


class NotModified(Exception):
    """The server, or the body's hash, says the listing is what was stored last time."""

    def __init__(self, url: str, result: FetchResult | None, how: str):
        super().__init__(f"{url}: {how}")
        self.url = url
        self.result = result


class RunFetcher:
    def __init__(self, store: Store, *, conditional: bool = True, keep_raw: bool = False):
        self.store = store
        self.conditional = conditional
        self.keep_raw = keep_raw
        self.responses: list[FetchResult] = []
        self.last_error: FetchError | None = None
        self._new_bodies: list[CachedResponse] = []
        self._confirmed: list[CachedResponse] = []
        self._kept: list[raw.KeptResponse] = []
        self._changed_seen = False
        self._files: set[str] = set()
        self._file_bytes = 0
        self.notes: list[str] = []

    def __call__(self, url: str, settings: HttpSettings, *, etag: str | None = None,
                 last_modified: str | None = None, **options: Any) -> FetchResult:
        """`http.fetch`'s signature; other options (accept, expect, ...) pass through unchanged."""
        cached = http_cache.lookup(self.store, url) if self.conditional and not self._changed_seen else None
        try:
            result = http.fetch(url, settings, **options,
                                etag=etag or (cached.etag if cached else None),
                                last_modified=last_modified or (cached.last_modified if cached else None))
        except FetchError as exc:
            self.last_error = exc
            raise
        self.responses.append(result)
        new_etag = result.etag or result.headers.get("etag")
        new_modified = result.last_modified or result.headers.get("last-modified")
        if result.not_modified or result.status == 304:
            if cached is None:
                raise FetchError(url, "HTTP 304 to a request without validators", status=304)
            self._confirmed.append(CachedResponse(url, new_etag, new_modified, None))
            raise NotModified(url, result, "not modified (HTTP 304)")
        digest = result.content_sha256 or hashlib.sha256(result.body).hexdigest()
        if cached is not None and cached.content_sha256 == digest:
            self._confirmed.append(CachedResponse(url, new_etag, new_modified, None))
            raise NotModified(url, result, "body unchanged since the last stored run")
        self._changed_seen = True
        self._new_bodies.append(CachedResponse(url, new_etag, new_modified, digest))
        if self.keep_raw:
            self._kept.append(raw.KeptResponse(url=url, status=result.status, headers=dict(result.headers),
                                               body=result.body, content_sha256=digest, fetched_at=utc_now()))
        return result

    def read_file(self, path: Path, max_bytes: int) -> bytes:
        """A saved file's bytes (`adhoc.read_saved_file`'s checks and cap), or NotModified when they
        hash to what the last stored run of it read.

        A re-ingest of an unchanged file then costs a read and a hash, not a
        parse; `conditional=False` (`ingest --force`) parses it again.
        """
        from pipeline.kinds.adhoc import read_saved_file

        body = read_saved_file(Path(path), max_bytes)
        self._file_bytes += len(body)
        key = Path(path).resolve().as_uri()
        digest = hashlib.sha256(body).hexdigest()
        cached = http_cache.lookup(self.store, key) if self.conditional else None
        if cached is not None and cached.content_sha256 == digest:
            self._confirmed.append(CachedResponse(key, None, None, None))
            raise NotModified(str(path), None, "file unchanged since the last stored run (--force parses it again)")
        self._new_bodies.append(CachedResponse(key, None, None, digest))
        self._files.add(key)
        return body

    # -- for the run ledger ------------------------------------------------

    @property
    def http_status(self) -> int | None:
        if self.responses:
            return self.responses[-1].status
        return self.last_error.status if self.last_error else None

    @property
    def bytes(self) -> int:
        return sum(len(r.body) for r in self.responses) + self._file_bytes

    def record(self, source: str, request: Mapping[str, Any], used: Sequence[FetchResult] | None) -> FetchRecord:
        """What to write with the run's outcome.

        Validators are remembered only for the responses the stored listing
        was made of (`used`; an accepted empty listing counts, a failed run
        passes None): an API answer that failed to parse and was replaced by
        the HTML page must not make the next run "not modified". Raw
        responses are kept whatever the outcome.
        """
        used_urls = {result.url for result in used or ()} | self._files
        fresh = tuple(entry for entry in self._new_bodies if entry.url in used_urls) if used is not None else ()
        return FetchRecord(source=source, request=dict(request), fresh=fresh,
                           confirmed=tuple(self._confirmed) if used is not None else (), kept=tuple(self._kept))


class Replay:
    """Answers each URL with the response a past run kept; a URL it did not keep fails as it did then."""

    def __init__(self, kept: raw.KeptRun):
        self.kept = kept
        self.by_url = {response.url: response for response in kept.responses}
        self.notes = [f"reparsed from the responses kept by run {kept.run_id}"]
        self.responses: list[FetchResult] = []

    def __call__(self, url: str, settings: HttpSettings, *, etag: str | None = None,
                 last_modified: str | None = None, **options: Any) -> FetchResult:
        kept = self.by_url.get(url)
        if kept is None:
            raise FetchError(url, f"no response kept by run {self.kept.run_id}")
        result = FetchResult(url=url, final_url=url, status=kept.status, body=kept.body, headers=kept.headers,
                             elapsed=0.0, not_modified=False, etag=kept.headers.get("etag"),
                             last_modified=kept.headers.get("last-modified"), content_sha256=kept.content_sha256)
        self.responses.append(result)
        return result

    @property
    def http_status(self) -> int | None:
        return self.responses[-1].status if self.responses else None

    @property
    def bytes(self) -> int:
        return sum(len(r.body) for r in self.responses)

    def record(self, source: str, request: Mapping[str, Any], used: Sequence[FetchResult] | None) -> None:
        """Nothing to remember: the validators and bodies are the original run's."""
        return None
