"""Rebuilding papers from kept raw responses, without fetching (`paperfeed reparse`).

A replayed run goes through the same code as a live one (`ingest_source`,
`ingest_url`) with a `Replay` in place of the conditional fetcher: the source's
own logic (paging, the HTML fallback, the day check) decides again what the
responses mean, now with the current parsers. Each replay is a new run in the
ledger, noted as reparsed from the run that fetched.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.http import FetchError, FetchResult, HttpSettings
from pipeline.run.run import Pipeline, RunSummary, _refuse, ingest_source, ingest_url
from pipeline.store import raw


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

    def writer(self, run_id: int, source: str, request: dict, *, used):
        """Nothing to remember: the validators and bodies are the original run's."""
        return None


def reparse(pipe: Pipeline, *, source: str | None = None, since: str | None = None) -> list[RunSummary]:
    summaries = []
    for kept in raw.kept_runs(pipe.store, source=source, since=since):
        request = kept.request
        replay = Replay(kept)
        if "url" in request:
            summaries.append(ingest_url(pipe, request["url"], fetcher=replay))
            continue
        configured = pipe.config.source(kept.source)
        if configured is None:
            summaries.append(_refuse(pipe, kept.source, f"run {kept.run_id}: source {kept.source!r} is no longer configured"))
            continue
        day = date.fromisoformat(request["day"]) if request.get("day") else None
        summaries.append(ingest_source(pipe, configured, day=day, query=request.get("query"), fetcher=replay))
    return summaries
