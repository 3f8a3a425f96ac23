"""`paperfeed export`: every format round-trips, feeds are valid, HTML and Markdown are inert."""

from __future__ import annotations

import csv
import io
import json
import re

import feedparser
from readdb import MEDICAL_IDS, query, reading_db  # noqa: F401  (fixture)

SCRIPT_TITLE = "<script>alert(1)</script>"


def export(run_cli, *args):
    result = run_cli("export", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_atom_export_of_medical_imaging_parses_back_with_every_entry(run_cli, reading_db):
    feed = feedparser.parse(export(run_cli, "--format", "atom", "--tag", "medical-imaging").encode())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == len(MEDICAL_IDS) == 6
    assert {e.id for e in feed.entries} == {f"urn:paperfeed:paper:{key}" for key in MEDICAL_IDS}
    by_title = {e.title: e for e in feed.entries}
    assert SCRIPT_TITLE in by_title  # the text survives, as text
    mri = by_title["Brain tumour segmentation in magnetic resonance imaging with a tiny U-Net"]
    assert mri.link == "https://huggingface.co/papers/2410.99001"
    assert [a.name for a in mri.authors] == ["Ana Ruiz", "Bo Chen"]
    assert {t.term for t in mri.tags} == {"medical-imaging", "modality:mri", "anatomy:brain", "task:segmentation"}
    # U+0001 cannot exist in XML: it is dropped, the rest of the title kept.
    assert "Control" + "character title: liver lesions in ultrasound" in by_title


def test_rss_export_parses_back_with_every_entry(run_cli, reading_db):
    feed = feedparser.parse(export(run_cli, "--format", "rss", "--tag", "medical-imaging",
                                   "--feed-url", "https://example.org/mri.xml").encode())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20" and len(feed.entries) == 6
    assert feed.feed.title == "paperfeed: medical-imaging"
    assert SCRIPT_TITLE in {e.title for e in feed.entries}


def test_feed_of_two_tags_is_the_intersection(run_cli, reading_db):
    feed = feedparser.parse(export(run_cli, "--format", "atom", "--tag", "medical-imaging",
                                   "--tag", "modality:mri").encode())
    assert feed.bozo == 0
    assert {e.id.rsplit(":", 1)[1] for e in feed.entries} == {"2410.99001", "2410.99003", "2410.99005"}


def test_html_export_escapes_every_stored_value(run_cli, reading_db):
    page = export(run_cli, "--format", "html", "--since", "2024-10-28", "--title", "<b>mine</b>")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Mallory &lt;b&gt;Bold&lt;/b&gt;" in page and "<b>" not in page
    assert "javascript:" not in page  # the project page link is dropped, not linked
    assert '<a href="https://huggingface.co/papers/2410.99002"' in page
    assert page.count("<article>") == 7


def test_markdown_export_cannot_smuggle_html(run_cli, reading_db):
    text = export(run_cli, "--format", "markdown", "--tag", "medical-imaging")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script>alert(1)&lt;/script>" in text
    assert "javascript:" not in text
    assert text.count("\n- **") == 6


def test_csv_json_and_jsonl_hold_the_same_papers(run_cli, reading_db):
    rows = list(csv.DictReader(io.StringIO(export(run_cli, "--format", "csv"))))
    listed = json.loads(export(run_cli, "--format", "json"))
    lines = [json.loads(line) for line in export(run_cli, "--format", "jsonl").splitlines()]
    assert len(rows) == len(listed) == len(lines) == 24
    assert [r["id"] for r in rows] == [p["id"] for p in listed] == [p["id"] for p in lines]
    # Newest listing day first.
    days = [p["last_seen_at"] for p in listed]
    assert days == sorted(days, reverse=True)
    script = next(p for p in listed if p["id"] == "arxiv:2410.99002")
    assert script["title"] == SCRIPT_TITLE and script["project_page"] == "javascript:alert(1)"  # data stays verbatim
    typo = run_cli("export", "--format", "json", "--tag", "medical-imaging,nosuch")  # a typo is not "no papers"
    assert typo.exit_code == 2 and typo.stdout == ""
    assert "--tag nosuch: no such tag; valid tags: " in typo.stderr and "modality:mri" in typo.stderr


def test_order_by_upvotes_and_limit(run_cli, reading_db):
    listed = json.loads(export(run_cli, "--format", "json", "--order", "upvotes", "--limit", "3"))
    assert [(p["arxiv_id"], p["upvotes"]) for p in listed] == [("2407.21783", 94), ("2410.17243", 64),
                                                               ("2410.16251", 41)]


def test_output_file_is_renamed_into_place_and_a_missing_folder_is_one_line(run_cli, reading_db, tmp_path):
    target = tmp_path / "out.xml"
    result = run_cli("export", "--format", "atom", "-o", str(target))
    assert result.exit_code == 0 and "wrote 24 papers" in result.stderr and result.stdout == ""
    assert len(feedparser.parse(target.read_bytes()).entries) == 24
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.xml")] == []
    missing = run_cli("export", "-o", str(tmp_path / "no" / "such" / "dir.csv"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def test_bad_day_is_one_line_exit_2(run_cli, reading_db):
    result = run_cli("export", "--since", "last tuesday")
    assert result.exit_code == 2 and re.match(r"paperfeed: --since 'last tuesday': expected", result.stderr)
