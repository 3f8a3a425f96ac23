"""'New' means new once: a re-read search, a second source or a new version never makes a paper new again."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

from conftest import FIXTURES

SEARCH_PAGE = FIXTURES / "hf" / "hf_papers_search_medical-imaging_rendered-text_2026-02-23.txt"
HF_DAY = FIXTURES / "read" / "api_daily_2024-10-28_medical.json"
ARXIV_TWO_DAYS_LATER = FIXTURES / "deliver" / "arxiv_rss_eess.IV_2024-10-30_handmade.xml"


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def as_if_read_days_ago(db_path, days: int) -> None:
    """What the day-1 ingest would have stored had it run `days` ago: its sightings and first-seen
    day are that day (an undated listing is filed under the day it was read)."""
    day = (date.today() - timedelta(days=days)).isoformat()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE sightings SET listing_date = ?", (day,))
        conn.execute("UPDATE papers SET first_seen_at = ?, last_seen_at = ?", (day, day))
    conn.close()


def test_reading_the_search_page_again_the_next_day_adds_nothing_new(run_cli, db_path):
    ok(run_cli("ingest", str(SEARCH_PAGE)))
    as_if_read_days_ago(db_path, 1)
    second = ok(run_cli("ingest", "--force", str(SEARCH_PAGE)))  # read again: unchanged bytes are otherwise not parsed
    assert "64" in second.output
    digest = ok(run_cli("digest", "--since", "yesterday", "--tag", "medical-imaging")).stdout
    assert "0 medical-imaging papers" in digest and "No papers in this period." in digest
    assert json.loads(ok(run_cli("export", "--format", "json", "--since", "yesterday")).stdout) == []
    # Seen in any listing in the period: the search showed all 64 both days.
    seen = json.loads(ok(run_cli("export", "--format", "json", "--since", "yesterday", "--period", "seen")).stdout)
    assert len(seen) == 64
    # The search never moved newness: each paper is new on its card's publication day (2017-2026);
    # the four cards without a date are new on no day at all.
    with sqlite3.connect(db_path) as conn:
        days = [row[0] for row in conn.execute("SELECT first_listed_at FROM papers")]
    conn.close()
    dated = [d for d in days if d]
    assert len(days) == 64 and len(dated) == 60 and all("2017-01-01" <= d <= "2026-02-23" for d in dated)


def test_a_paper_first_on_hugging_face_then_on_arxiv_two_days_later_is_in_one_daily_digest(run_cli, db_path):
    ok(run_cli("ingest", str(HF_DAY)))
    ok(run_cli("ingest", str(ARXIV_TWO_DAYS_LATER)))
    with sqlite3.connect(db_path) as conn:
        sources = {row[0] for row in conn.execute("SELECT source FROM sightings WHERE paper_id = 'arxiv:2410.99001'")}
    conn.close()
    assert len(sources) == 2  # both listings showed it
    days = ("2024-10-28", "2024-10-29", "2024-10-30")
    digests = {day: ok(run_cli("digest", "--since", day, "--until", day, "--tag", "medical-imaging")).stdout
               for day in days}
    title = "Brain tumour segmentation in magnetic resonance imaging"
    assert [day for day, text in digests.items() if title in text] == ["2024-10-28"]
    # In "seen" terms it was listed on both days.
    seen = [day for day in days if title in ok(run_cli("digest", "--since", day, "--until", day,
                                                          "--period", "seen")).stdout]
    assert seen == ["2024-10-28", "2024-10-30"]


def test_search_and_export_show_venue_and_code_link(run_cli):
    ok(run_cli("ingest", str(ARXIV_TWO_DAYS_LATER)))
    papers = {p["arxiv_id"]: p for p in json.loads(ok(run_cli("export", "--format", "json")).stdout)}
    assert papers["2410.99020"]["code_url"] == "https://github.com/example-lab/knee-t1map"
    assert papers["2405.99030"]["venue"] == "Medical Image Analysis 98 (2024) 103301"
    assert papers["2410.99020"]["first_listed_at"] == "2024-10-30"
    csv_text = ok(run_cli("export", "--format", "csv")).stdout
    assert "venue" in csv_text.splitlines()[0] and "https://github.com/example-lab/knee-t1map" in csv_text
    table = ok(run_cli("search", "liver")).stdout
    assert "Medical Image Analysis 98 (2024) 103301" in table


def test_a_new_version_is_shown_as_updated_only_when_asked(run_cli):
    ok(run_cli("ingest", str(ARXIV_TWO_DAYS_LATER)))  # 2405.99030 v2: a replacement, announced 2024-10-30
    updated = json.loads(ok(run_cli("export", "--format", "json", "--since", "2024-10-30", "--period", "updated")).stdout)
    assert [p["arxiv_id"] for p in updated] == ["2405.99030"]
    assert json.loads(ok(run_cli("export", "--format", "json", "--since", "2024-10-31", "--period", "updated")).stdout) == []
