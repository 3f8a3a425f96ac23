"""The one HTTP layer every source fetches through.

    result = fetch(url, settings, etag=..., last_modified=..., expect="json")

Everything a source needs to be a good citizen of someone else's server, and
to fail loudly instead of quietly, is decided here once: see `client.fetch`.
"""

from pipeline.http.client import fetch
from pipeline.http.result import FetchError, FetchResult
from pipeline.http.settings import HttpSettings

__all__ = ["FetchError", "FetchResult", "HttpSettings", "fetch"]
