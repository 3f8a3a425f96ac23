"""The one HTTP layer every source fetches through.

    settings = HttpSettings.from_mapping(config["http"], state_dir=db_path.parent)
    result = fetch(url, settings, etag=kept_etag, last_modified=kept_date, expect="json")

Everything a source needs to be a good citizen of someone else's server, and
to fail loudly instead of quietly, is decided here once (see `client.fetch`).
The `[http]` table takes the field names of `HttpSettings`, for example:

    [http]
    user_agent = "paperfeed/0.1 (+mailto:you@example.org)"
    deadline = 120
    max_wait = 300
    allow_private = []            # e.g. ["intranet.example", "10.0.0.0/8"]
    [http.min_interval]
    "export.arxiv.org" = 3.0

Modules: `client` (fetch, retries, redirects), `transport` (sockets under a
deadline and an address check), `pacing` (cross-process per-host turns),
`safety` (address and content-type rules), `waits` (Retry-After, RateLimit,
backoff), `settings`, `result`.
"""

from pipeline.http.result import FetchError, FetchResult
from pipeline.http.settings import HttpSettings


def fetch(url: str, settings: HttpSettings, *args, **options) -> FetchResult:
    """`client.fetch`, imported on the first request: requests and urllib3 take 0.1 s to
    import, which commands that never fetch (search, status, export) should not pay."""
    from pipeline.http.client import fetch as fetch_now

    return fetch_now(url, settings, *args, **options)

__all__ = ["FetchError", "FetchResult", "HttpSettings", "fetch"]
