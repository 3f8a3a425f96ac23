"""Credentials carried in query strings never reach the database.

NCBI takes its API key as `api_key=` in the URL, and other APIs do the same
with `key=`, `token=` or `access_token=`. The database is meant to be shared
(Datasette, a copy sent to a colleague), so every URL the store writes (the
HTTP cache, kept raw responses) has these values replaced. The cache looks up
by the same redacted form, so conditional requests still match.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAMETERS = frozenset({"api_key", "apikey", "key", "token", "access_token", "auth_token"})
REDACTED = "REDACTED"


def redacted(url: str) -> str:
    """`url` with the value of every credential parameter replaced; other URLs unchanged."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name.lower() in SECRET_PARAMETERS for name, _ in pairs):
        return url
    query = urlencode([(name, REDACTED if name.lower() in SECRET_PARAMETERS else value) for name, value in pairs])
    return urlunsplit(parts._replace(query=query))
