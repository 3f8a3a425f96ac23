"""What a database holds, in a few numbers: for `paperfeed stats` and the end of the main job."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.store.core import Store


@dataclass
class Summary:
    papers: int
    sightings: int
    runs: int
    tagged: int
    sources: list[tuple[str, int, str]] = field(default_factory=list)  # (source, sightings, latest listing day)
    tags: list[tuple[str, int]] = field(default_factory=list)  # (tag, papers), most common first


def summarise(store: Store) -> Summary:
    def count(sql: str) -> int:
        return store.conn.execute(sql).fetchone()[0]

    return Summary(
        papers=count("SELECT count(*) FROM papers"),
        sightings=count("SELECT count(*) FROM sightings"),
        runs=count("SELECT count(*) FROM runs"),
        tagged=count("SELECT count(DISTINCT paper_id) FROM effective_tags"),
        sources=[tuple(row) for row in store.conn.execute(
            "SELECT source, count(*), max(listing_date) FROM sightings GROUP BY source ORDER BY source")],
        tags=[tuple(row) for row in store.conn.execute(
            "SELECT tag, count(*) AS n FROM effective_tags GROUP BY tag ORDER BY n DESC, tag")],
    )
