"""`paperfeed zotero push`: put papers into a Zotero user or group library (collection) through the Web API.

Items are created with pyzotero, fifty per request as the API allows, with
paperfeed's tags as Zotero tags. Each item the server confirms is recorded in
`zotero_pushes`, so pushing the same selection again creates nothing twice;
an item the server refused is not recorded and is tried again next time.

The library, collection and API base URL come from `[zotero]` in
settings.toml or the command line; the key only ever from the environment
(`ZOTERO_API_KEY`, or the variable `api_key_env` names).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pipeline.config import ConfigError
from pipeline.output.citation import reference
from pipeline.output.latex_text import readable
from pipeline.store import Store, deliveries

API_BASE = "https://api.zotero.org"
BATCH = 50  # the Web API's limit of items per write request
ZOTERO_KEYS = {"library", "collection", "base_url", "api_key_env"}
_LIBRARY = re.compile(r"^(users|groups)/(\d+)$")


class ZoteroError(Exception):
    """The push could not be made; one line."""


@dataclass(frozen=True)
class ZoteroTarget:
    library: str  # users/123 or groups/456
    api_key: str
    collection: str | None = None
    base_url: str = API_BASE

    @classmethod
    def from_settings(cls, settings: dict[str, Any], where: str, *, library: str | None = None,
                      collection: str | None = None, base_url: str | None = None,
                      environ: dict[str, str] | None = None) -> ZoteroTarget:
        environ = os.environ if environ is None else environ
        table = settings.get("zotero") or {}
        unknown = set(table) - ZOTERO_KEYS
        if unknown:
            raise ConfigError(f"{where}: [zotero]: unknown keys {', '.join(sorted(unknown))}")
        library = library or table.get("library")
        if not library or not _LIBRARY.match(str(library)):
            raise ConfigError(f"{where}: [zotero] library {library!r}: expected users/<id> or groups/<id>"
                              " (or --library)")
        base_url = str(base_url or table.get("base_url") or API_BASE).rstrip("/")
        if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
            raise ConfigError(f"{where}: [zotero] base_url {base_url!r} is not an http(s) URL")
        key_env = str(table.get("api_key_env", "ZOTERO_API_KEY"))
        api_key = environ.get(key_env)
        if not api_key:
            raise ConfigError(f"the environment variable {key_env} holds no Zotero API key"
                              " (create one at https://www.zotero.org/settings/keys)")
        return cls(library=str(library), api_key=api_key, collection=collection or table.get("collection"),
                   base_url=base_url)


@dataclass
class PushOutcome:
    pushed: int = 0
    skipped: int = 0  # pushed before
    failed: list[str] = field(default_factory=list)  # "paper id: reason"

    def line(self, library: str) -> str:
        text = f"zotero {library}: {self.pushed} items created, {self.skipped} already there"
        return text + (f", {len(self.failed)} refused: {'; '.join(self.failed[:3])}" if self.failed else "")


def zotero_item(paper: dict[str, Any], collection: str | None) -> dict[str, Any]:
    """A Zotero item: a preprint (repository arXiv) or a journal article, with paperfeed's tags."""
    ref = reference(paper)
    creators = [{"creatorType": "author", "firstName": n.given, "lastName": n.family} if n.given
                else {"creatorType": "author", "name": n.family} for n in ref.authors]
    item: dict[str, Any] = {
        "itemType": "preprint" if ref.kind == "preprint" else "journalArticle",
        "title": readable(ref.title), "creators": creators, "abstractNote": ref.abstract or "",
        "date": "-".join(p for p in (ref.year, ref.month, ref.day) if p), "DOI": ref.doi or "",
        "url": ref.url or "", "tags": [{"tag": tag} for tag in ref.tags],
        "extra": "\n".join(line for line in (f"paperfeed: {ref.paper_id}",
                                             f"Code: {ref.code_url}" if ref.code_url else "",
                                             f"Venue: {ref.venue}" if ref.venue and ref.venue != ref.journal else "")
                           if line),
    }
    if ref.kind == "preprint":
        item.update({"repository": "arXiv" if ref.arxiv_id else "", "archiveID": f"arXiv:{ref.arxiv_id}"
                     if ref.arxiv_id else "", "citationKey": ref.key})
    else:
        item["publicationTitle"] = ref.journal or ""
    if collection:
        item["collections"] = [collection]
    return item


def push(store: Store, target: ZoteroTarget, papers: Iterable[dict[str, Any]]) -> PushOutcome:
    from pyzotero import zotero, zotero_errors

    library_type, library_id = _LIBRARY.match(target.library).groups()
    client = zotero.Zotero(library_id, library_type[:-1], target.api_key)
    client.endpoint = target.base_url
    outcome = PushOutcome()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if not batch:
            return
        try:
            answer = client.create_items([zotero_item(p, target.collection) for p in batch])
        except (zotero_errors.PyZoteroError, OSError, ValueError) as exc:
            raise ZoteroError(f"Zotero {target.base_url}/{target.library}: {' '.join(str(exc).split())[:300]}") from None
        created = {batch[int(index)]["id"]: key for index, key in (answer.get("success") or {}).items()}
        deliveries.record_pushes(store, target.library, created)
        outcome.pushed += len(created)
        for index, problem in (answer.get("failed") or {}).items():
            message = problem.get("message") if isinstance(problem, dict) else problem
            outcome.failed.append(f"{batch[int(index)]['id']}: {message}")
        batch.clear()

    for paper in papers:
        if deliveries.pushed_ids(store.conn, target.library, [paper["id"]]):
            outcome.skipped += 1
            continue
        batch.append(paper)
        if len(batch) == BATCH:
            flush()
    flush()
    return outcome
