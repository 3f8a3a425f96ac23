"""The reading page, a table page and searches, rendered by headless Chromium from `paperfeed browse`
on 127.0.0.1: cards, links, chips and highlighted words in the DOM, and no request to any other host.

Set PAPERFEED_SCREENSHOTS=docs/screenshots to also save the README's screenshots.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from browsing import browse_server, chromium, rendered_dom, screenshot
from fieldwords import CHEST_XRAY8, field_words_db  # noqa: F401  (fixture)

pytest.importorskip("datasette")

OCTOBER = "since=2024-10-01&until=2024-10-31"


@pytest.fixture(scope="module")
def browser():
    return chromium()


@pytest.fixture
def served(field_words_db, browser):
    with browse_server(field_words_db) as (base, _):
        yield base


def load(base: str, path: str, tmp_path: Path) -> BeautifulSoup:
    profile = tmp_path / f"profile-{abs(hash(path))}"
    profile.mkdir()
    dom, requests = rendered_dom(base + path, profile)
    assert requests, "the net log recorded none of the page's requests"
    assert {r["host"] for r in requests} == {"127.0.0.1"}, [r["url"] for r in requests if r["host"] != "127.0.0.1"]
    soup = BeautifulSoup(dom, "html.parser")
    for tag in soup.find_all(["script", "link", "img", "iframe"]):
        target = tag.get("src") or (tag.get("href") if tag.name == "link" else None)
        assert not target or not urlsplit(target).netloc or urlsplit(target).hostname == "127.0.0.1", target
    return soup


def cards(soup: BeautifulSoup) -> dict[str, BeautifulSoup]:
    return {card["data-paper"]: card for card in soup.select("article.card")}


def test_reading_page_cards_links_chips_and_highlights(served, tmp_path):
    soup = load(served, f"/-/reading?{OCTOBER}", tmp_path)
    found = cards(soup)
    assert {"arxiv:2410.99001", "arxiv:2410.99010", "arxiv:2410.99011", "arxiv:2410.99012"} <= set(found)
    assert len(found) == 10  # the hand-made days only: the real pages were first seen in 2024-08 and 2026-02
    t1 = found["arxiv:2410.99010"]
    assert t1.select_one("a.title")["href"] == "https://arxiv.org/abs/2410.99010"
    assert "Chiara Neri, Dev Patel" in t1.select_one(".authors").get_text()
    assert t1.select_one(".upvotes").get_text(strip=True) == "▲ 7"
    chips = {chip.get_text(strip=True): chip["href"] for chip in t1.select("a.chip")}
    assert parse_qs(urlsplit(chips["MRI"]).query)["tag"] == ["modality:mri"]
    marked = {mark.get_text() for mark in t1.select("mark")}
    assert {"T1-weighted", "Hippocampus", "segmentation", "U-Net"} <= marked
    assert t1.select_one("mark.hit-modality").get_text() == "T1-weighted"
    # Grouped by day, newest first, then by modality.
    days = [section["id"] for section in soup.select("section.day")]
    assert days == ["day-2024-10-30", "day-2024-10-28"]
    groups = [h.get_text(" ", strip=True) for h in soup.select("#day-2024-10-30 .modality > h3")]
    assert groups == ["CT 1", "MRI 1", "X-ray 1"]
    # A <script> title is text on the page, never markup.
    script_card = found["arxiv:2410.99002"]
    assert script_card.select_one("a.title").get_text() == "<script>alert(1)</script>" and not soup.select("article script")
    # Papers per day by source: the ad-hoc hf-daily import listed 7 papers on 10-28 and 3 on 10-30; the runs were today, outside.
    per_source = soup.select("section.charts svg.chart")[0]
    assert {t.get_text() for t in per_source.select("rect.bar title")} == {
        "adhoc:hf-daily 2024-10-28: 7", "adhoc:hf-daily 2024-10-30: 3"}
    assert "No runs in these days." in soup.select_one("section.charts").get_text()


def test_reading_page_chip_filter_and_search(served, tmp_path):
    mri = cards(load(served, f"/-/reading?{OCTOBER}&tag={quote('modality:mri')}", tmp_path))
    assert set(mri) == {"arxiv:2410.99001", "arxiv:2410.99010"}
    xray = cards(load(served, f"/-/reading?{OCTOBER}&q=X-ray", tmp_path))
    assert set(xray) == {"arxiv:2410.99011"}
    unet = cards(load(served, f"/-/reading?since=2024-01-01&until=2026-12-31&q=U-Net", tmp_path))
    assert {"arxiv:2410.99001", "arxiv:2410.99010"} <= set(unet) and len(unet) == 5


def test_default_period_is_this_week_and_an_empty_period_points_to_the_latest_day(served, tmp_path):
    # A search listing is dated by the day it was read: the HF search page's 64 papers are new today.
    week = load(served, "/-/reading", tmp_path)
    assert len(cards(week)) == 64 and "this week" in week.select_one("h1").get_text()
    # The fixtures were ingested today: today's column of the run timeline shows their ok runs.
    assert [t.get_text().rsplit(": ", 1)[1] for t in week.select("svg.runs rect.run-ok title")] == ["ok", "ok"]
    empty = load(served, "/-/reading?since=2025-01-01&until=2025-12-31", tmp_path)
    assert not cards(empty)
    today = date.today().isoformat()
    assert parse_qs(urlsplit(empty.select_one("a.latest-link")["href"]).query)["since"] == [today]


def test_search_box_table_page_and_views(served, tmp_path):
    # The papers search box: best match first, through the `search` canned query.
    ranked = load(served, "/papers/papers?_search=X-ray", tmp_path)
    titles = [a.get_text() for a in ranked.select("a.paper-title")]
    assert len(titles) >= 10 and "Pneumonia screening on chest X ray films" in titles
    assert any(title.startswith("ChestX-ray8") for title in titles)
    newest = ranked.select_one(".paperfeed-orders a")["href"]
    dated = load(served, newest, tmp_path)
    assert dated.select_one("#_search")["value"] == "X-ray"
    assert dated.select_one(".paperfeed-about summary").get_text().startswith("About this table")
    # The view has a search box too, and U-Net finds the MRI U-Net papers there.
    view = load(served, "/papers/medical_imaging_papers?_search=U-Net&_sort_desc=last_seen_at", tmp_path)
    ids = {td.get_text(strip=True) for td in view.select("td.col-id")}
    assert {"arxiv:2410.99001", "arxiv:2410.99010"} <= ids
    phrase = load(served, "/papers/search?q=" + quote('"T1-weighted" AND segmentation'), tmp_path)
    assert [a.get_text() for a in phrase.select("a.paper-title")] == [
        "Hippocampus segmentation on T1-weighted brain MRI with a small U-Net"]


def test_screenshots(served, tmp_path):
    target = os.environ.get("PAPERFEED_SCREENSHOTS")
    folder = Path(target) if target else tmp_path
    shots = {"reading-page.png": (f"/-/reading?{OCTOBER}", 1280, 2000),
             "reading-page-phone.png": (f"/-/reading?{OCTOBER}&tag={quote('modality:mri')}", 390, 1400),
             "search-x-ray.png": ("/papers/search?q=X-ray", 1280, 1100)}
    for name, (path, width, height) in shots.items():
        profile = tmp_path / f"shot-{name}"
        profile.mkdir()
        screenshot(served + path, folder / name, profile, width, height)
        assert (folder / name).stat().st_size > 10_000, name
        assert re.match(rb"\x89PNG", (folder / name).read_bytes()[:4])
