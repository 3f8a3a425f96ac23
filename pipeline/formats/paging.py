"""Where one API page sits in its result set, so a backfill knows what to fetch next."""

from __future__ import annotations

from typing import NamedTuple


class PageInfo(NamedTuple):
    """`total` results for the query, this page starting at `start` (0-based)
    with room for `per_page` results."""

    total: int
    start: int
    per_page: int

    @property
    def next_start(self) -> int:
        return self.start + self.per_page

    @property
    def is_last(self) -> bool:
        return self.per_page <= 0 or self.next_start >= self.total
