"""What each source normally delivers, so silence is noticed instead of passing.

Two promises per source, with defaults per kind and overrides in
`sources.toml`:

- `expect_entries`: when a listing with zero entries means the source is
  broken rather than quiet. `weekdays` (past weekdays always have papers:
  Hugging Face daily, arXiv feeds), `always` (a standing search), `never`.
- `expect_every_hours`: how long after its last success a source counts as
  overdue in `paperfeed status` (0: never overdue). Daily sources default
  to 26 h: a day plus slack for a late run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

EXPECT_KEYS = {"expect_entries", "expect_every_hours"}
ENTRY_RULES = ("weekdays", "always", "never")
DAILY_INTERVAL_HOURS = 26.0
# Per kind: (expect_entries, expect_every_hours). Kinds not listed promise nothing by default.
KIND_DEFAULTS: dict[str, tuple[str, float]] = {
    "hf-daily": ("weekdays", DAILY_INTERVAL_HOURS),
    "hf-search": ("always", 0.0),
    # arXiv announces Sunday to Thursday evenings (US-Eastern) and skips holidays: an empty
    # feed is normal, but no announcement at all for over three days means trouble.
    "arxiv-rss": ("never", 80.0),
}


@dataclass(frozen=True)
class Expectation:
    entries: str = "never"
    every_hours: float = 0.0

    def empty_is_failure(self, day: date, today: date) -> str | None:
        """Why an empty listing of `day` means trouble, or None when it may be empty.

        Today's listing of a daily source may still be filling up, so only past
        days count.
        """
        if self.entries == "always":
            return "no entries, where this source always has some: source changed or failing?"
        if self.entries == "weekdays" and day.weekday() < 5 and day < today:
            return f"no papers listed for {day.isoformat()}, a past weekday: source changed or failing?"
        return None

    @property
    def interval(self) -> timedelta | None:
        return timedelta(hours=self.every_hours) if self.every_hours > 0 else None


def expectation(kind: str, options: dict[str, Any]) -> Expectation:
    """The source's promises; ValueError naming the key when a configured value is unusable."""
    entries, hours = KIND_DEFAULTS.get(kind, ("never", 0.0))
    entries = options.get("expect_entries", entries)
    if entries not in ENTRY_RULES:
        raise ValueError(f"expect_entries = {entries!r}: expected one of {', '.join(ENTRY_RULES)}")
    hours = options.get("expect_every_hours", hours)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
        raise ValueError(f"expect_every_hours = {hours!r}: expected hours >= 0")
    return Expectation(entries=entries, every_hours=float(hours))
