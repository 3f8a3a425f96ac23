"""A simulated upstream: a local HTTP server whose answers follow a script of events on a simulated clock.

The clock is the process's own (`datetime.now`), which the driver moves with
`time-machine`, so the server, the scheduler's triggers and the run ledger
all read the same simulated time. Every answer is rebuilt from the real
samples in `fixtures/` (see `fixtures/SOURCES-sim.md`); only identifiers are
renumbered per simulated day, so each day has papers of its own:

- Hugging Face daily API (`/api/daily_papers?date=D`) and page
  (`/papers/date/D`): a weekday's papers are added in bursts through the UTC
  day, their upvotes and comment counts climb hour by hour, the API briefly
  answers with only the first paper, and the page always shows the saved
  2024-08-01 list (Hugging Face's page for a day it cannot show: another
  day's list). Weekends have no papers.
- arXiv RSS (`/rss/CATS`, Atom): rebuilt at midnight US-Eastern after the
  evening announcement, Monday to Friday mailings; on weekends and arXiv
  holidays the rebuilt feed is empty.
- arXiv API (`/api/query`): papers by submission day (a weekend's in
  Tuesday's mailing), each only `API_LAG` after the feed shows it.
- bioRxiv/medRxiv details API (`/details/medrxiv/D/D/CURSOR/json`): a day's
  posts, the last batch of them only published late the next morning.
- A journal's Atom feed (`/journal.atom`): a new article each weekday until
  `journal_stops`, then the same feed unchanged.
- Outages: every endpoint of a host answers 503 inside a window.

`appeared` maps (source kind, paper key) to the moment the paper became
visible upstream: what freshness is measured from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import FIXTURES, HF_HTML, HF_PROPS
from pipeline.kinds.cadence import arxiv_holiday

EASTERN = ZoneInfo("America/New_York")
ARXIV_ATOM = FIXTURES / "arxiv" / "rss-atom_cs.AI_2025-08-20_87-entries_TRUNCATED-by-upstream.xml"
BIORXIV_DETAILS = FIXTURES / "biorxiv" / "published-doc_api-biorxiv_details_2026-08-01_ABRIDGED.json"
JOURNAL_ATOM = FIXTURES / "feeds" / "handmade_journal-toc_atom.xml"
ARXIV_API = FIXTURES / "arxiv" / "arxiv-docs_api_user-manual_typical-response_all-electron_2007.xml"

# Minutes after 00:00 UTC at which a weekday's Hugging Face bursts begin, and how many papers each
# adds, one a minute.
HF_BURSTS = ((272, 8), (433, 10), (641, 6), (846, 5), (1193, 3))
HF_ONE_PAPER = (time(9, 0), time(9, 12))  # the API answers with only its first paper
ARXIV_PER_DAY = 28  # papers per mailing, out of the sample's 86 complete entries
API_LAG = timedelta(hours=5)  # the API shows a mailing this long after the feed
BIORXIV_EARLY, BIORXIV_LATE = 6, 3  # a day's posts at 23:00 UTC, and the batch only at 09:40 UTC next day


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Paper:
    key: str  # `arxiv:2611.23005` or `doi:10.1101/...`, as paperfeed's identifiers hold it
    template: int  # which sample entry it is rebuilt from
    day: date  # its listing day upstream
    submitted: date | None = None  # arXiv: the (GMT) day it was submitted


@dataclass
class Upstream:
    """The script: which papers each source shows when, and when each host is down."""

    start: date
    days: int
    journal_stops: date | None = None
    hf_short_days: dict[date, int] = field(default_factory=dict)  # days whose list stays this short
    arxiv_skips: set[date] = field(default_factory=set)  # weekdays arXiv mails nothing, unannounced
    outages: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    appeared: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def __post_init__(self):
        self.hf_items = json.loads(HF_PROPS.read_bytes())["dailyPapers"]
        text = ARXIV_ATOM.read_text()
        self.atom_head = text[: text.index("<entry>")]
        self.atom_entries = re.findall(r"<entry>.*?</entry>", text, re.S)
        self.biorxiv = json.loads(BIORXIV_DETAILS.read_bytes())
        journal = JOURNAL_ATOM.read_text()
        self.journal_head = journal[: journal.index("<entry>")]
        self.journal_entry = re.findall(r"<entry>.*?</entry>", journal, re.S)[0]
        self.papers: dict[str, list[tuple[datetime, Paper]]] = {"hf": [], "arxiv-rss": [], "arxiv-api": [],
                                                                   "biorxiv": [], "journal": []}
        for offset in range(-1, self.days + 1):
            self._script_day(self.start + timedelta(days=offset))
        for kind, timeline in self.papers.items():
            timeline.sort(key=lambda pair: pair[0])
            for at, paper in timeline:
                # The API lists a paper under its submission day: one before the start was never asked for.
                listed = paper.submitted if kind == "arxiv-api" else paper.day
                if self.start <= listed and paper.day < self.start + timedelta(days=self.days):
                    self.appeared.setdefault((kind, paper.key), self._visible(kind, at))

    # -- the script ------------------------------------------------------------------

    def _script_day(self, day: date) -> None:
        weekday = day.weekday() < 5
        midnight = datetime.combine(day, time(0), timezone.utc)
        if weekday:
            number = 0
            for minute, count in HF_BURSTS:
                for one in range(count):
                    if number >= self.hf_short_days.get(day, number + 1):
                        break
                    key = f"arxiv:{day:%y%m}.{day.day:02d}{number:03d}"
                    self.papers["hf"].append((midnight + timedelta(minutes=minute + one),
                                              Paper(key, number % len(self.hf_items), day)))
                    number += 1
        if self._mails(day):
            rebuilt = datetime.combine(day, time(0), EASTERN).astimezone(timezone.utc)
            window = _submission_days(day, self._mails)
            for number in range(ARXIV_PER_DAY):
                key = f"arxiv:{day:%y%m}.{50000 + day.day * 100 + number}"
                paper = Paper(key, (day.day * 7 + number) % len(self.atom_entries), day, window[number % len(window)])
                self.papers["arxiv-rss"].append((rebuilt, paper))
                self.papers["arxiv-api"].append((rebuilt + API_LAG, paper))
        if weekday:
            posted = datetime.combine(day, time(23, 0), timezone.utc)
            late = datetime.combine(day + timedelta(days=1), time(9, 40), timezone.utc)
            for number in range(BIORXIV_EARLY + BIORXIV_LATE):
                paper = Paper(f"doi:10.1101/{day:%Y.%m.%d}.{700000 + number}", number, day)
                self.papers["biorxiv"].append((posted if number < BIORXIV_EARLY else late, paper))
            if self.journal_stops is None or day < self.journal_stops:
                at = datetime.combine(day, time(8, 0), timezone.utc)
                self.papers["journal"].append((at, Paper(f"doi:10.1234/jmir.{day:%Y%m%d}", 0, day)))

    def _mails(self, day: date) -> bool:
        return day.weekday() < 5 and not arxiv_holiday(day) and day not in self.arxiv_skips

    def _visible(self, kind: str, at: datetime) -> datetime:
        """When a paper scripted at `at` can first be fetched: after any outage of its host."""
        window = self.outages.get(kind)
        if window and window[0] <= at < window[1]:
            return window[1]
        return at

    def shown(self, kind: str, now: datetime, day: date | None = None) -> list[Paper]:
        return [paper for at, paper in self.papers[kind] if at <= now and (day is None or paper.day == day)]

    # -- answers ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        now = _now()
        path = request.path
        kind = ("hf" if path.startswith(("/api/daily_papers", "/papers/")) else
                "arxiv-rss" if path.startswith("/rss/") else "arxiv-api" if path.startswith("/api/query") else
                "biorxiv" if path.startswith("/details/") else "journal" if path == "/journal.atom" else None)
        if kind is None:
            return Response("not found", status=404)
        window = self.outages.get(kind)
        if window and window[0] <= now < window[1]:
            return Response("Service Unavailable", status=503)
        if path.startswith("/papers/date/"):
            return Response(HF_HTML.read_bytes(), content_type="text/html")
        if kind == "hf":
            return self._hf(date.fromisoformat(request.args["date"]), now, int(request.args.get("p", 0)))
        if kind == "arxiv-rss":
            return self._atom(now)
        if kind == "arxiv-api":
            return self._arxiv_api(request.args["search_query"], now)
        if kind == "biorxiv":
            _, _, _, first, _, cursor, _ = path.split("/")
            return self._biorxiv(date.fromisoformat(first), int(cursor), now)
        return self._journal(now)

    def _hf(self, day: date, now: datetime, page: int) -> Response:
        papers = [] if page else self.shown("hf", now, day)
        if papers and HF_ONE_PAPER[0] <= now.time() < HF_ONE_PAPER[1] and now.date() == day:
            papers = papers[:1]
        items = []
        for paper in papers:
            item = json.loads(json.dumps(self.hf_items[paper.template]))
            hours = max(0, int((now - datetime.combine(day, time(0), timezone.utc)).total_seconds() // 3600))
            arxiv_id = paper.key.removeprefix("arxiv:")
            item["paper"].update(id=arxiv_id, upvotes=int(item["paper"].get("upvotes") or 0) + hours,
                                 publishedAt=f"{day.isoformat()}T00:00:00.000Z",
                                 submittedOnDailyAt=f"{day.isoformat()}T04:00:00.000Z")
            item["numComments"] = int(item.get("numComments") or 0) + hours // 6
            item["publishedAt"] = f"{day.isoformat()}T04:00:00.000Z"
            items.append(item)
        return Response(json.dumps(items), content_type="application/json")

    def _atom_entry(self, paper: Paper) -> str:
        entry = self.atom_entries[paper.template]
        original = re.search(r"oai:arXiv\.org:(\d{4}\.\d{5})", entry).group(1)
        stamp = f"{paper.day.isoformat()}T00:00:00-05:00"
        entry = entry.replace(original, paper.key.removeprefix("arxiv:"))
        # A renumbered entry is another paper: the sample's DOI and journal reference are not its own.
        entry = re.sub(r"<arxiv:(DOI|journal_reference)>[^<]*</arxiv:\1>", "", entry)
        return re.sub(r"<published>[^<]*</published>", f"<published>{stamp}</published>", entry)

    def _atom(self, now: datetime) -> Response:
        today = now.astimezone(EASTERN).date()
        papers = self.shown("arxiv-rss", now, today)
        built = datetime.combine(today, time(0), EASTERN).astimezone(timezone.utc)
        head = re.sub(r"<updated>[^<]*</updated>", f"<updated>{built.isoformat()}</updated>", self.atom_head, count=1)
        body = head + "".join(self._atom_entry(p) for p in papers) + "</feed>\n"
        return Response(body, content_type="application/atom+xml")

    def _arxiv_api(self, query: str, now: datetime) -> Response:
        stamp = re.search(r"submittedDate:\[(\d{8})", query).group(1)
        submitted = datetime.strptime(stamp, "%Y%m%d").date()
        papers = [p for p in self.shown("arxiv-api", now) if p.submitted == submitted]
        return Response(api_feed(papers, self.atom_entries), content_type="application/atom+xml")

    def _biorxiv(self, day: date, cursor: int, now: datetime) -> Response:
        papers = self.shown("biorxiv", now, day)
        record = self.biorxiv["collection"][0]
        collection = [{**record, "doi": p.key.removeprefix("doi:"), "date": day.isoformat(),
                       "title": f"{record['title']} ({n + 1})", "category": "radiology and imaging",
                       "server": "medRxiv"} for n, p in enumerate(papers)][cursor:cursor + 30]
        message = {**self.biorxiv["messages"][0], "cursor": cursor, "count": len(collection),
                   "total": str(len(papers)), "interval": f"{day}:{day}"}
        return Response(json.dumps({"messages": [message], "collection": collection}), content_type="application/json")

    def _journal(self, now: datetime) -> Response:
        papers = self.shown("journal", now)
        entries = []
        for paper in papers:
            doi = paper.key.removeprefix("doi:")
            entry = self.journal_entry.replace("10.1234/JMIR.2025.0101", doi)
            entry = entry.replace("2025-09-22T08:00:00+02:00", f"{paper.day.isoformat()}T08:00:00Z")
            entry = entry.replace("Self-supervised pretraining for CT triage",
                                  f"Self-supervised pretraining for CT triage, cohort {paper.day:%Y%m%d}")
            entries.append(entry)
        updated = f"{papers[-1].day.isoformat()}T08:00:00Z" if papers else "2025-09-22T08:00:00Z"
        head = re.sub(r"<updated>[^<]*</updated>", f"<updated>{updated}</updated>", self.journal_head, count=1)
        return Response(head + "".join(reversed(entries[-20:])) + "</feed>\n", content_type="application/atom+xml")


def _submission_days(mailing: date, mails) -> list[date]:
    """The days whose submissions a mailing announces: after the previous mailing's cutoff day, up to
    its own (each cutoff is 14:00 US-Eastern on the weekday before the mailing); a weekend and a
    holiday fold into the next mailing."""
    def cutoff(day: date) -> date:
        day -= timedelta(days=1)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    previous = mailing - timedelta(days=1)
    while not mails(previous):
        previous -= timedelta(days=1)
    first, last = cutoff(previous) + timedelta(days=1), cutoff(mailing)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def api_feed(papers: Iterable[Paper], atom_entries: list[str]) -> str:
    """An arXiv API answer (the documented sample's shape) listing these papers."""
    papers = list(papers)
    sample = ARXIV_API.read_text()
    head = sample[: sample.index("<entry")]
    head = head.replace(">1000</opensearch:totalResults>", f">{len(papers)}</opensearch:totalResults>")
    head = head.replace(">1</opensearch:itemsPerPage>", f">{max(len(papers), 1)}</opensearch:itemsPerPage>")
    entries = []
    for paper in papers:
        source = atom_entries[paper.template]
        title = re.search(r"<title>(.*?)</title>", source, re.S).group(1)
        summary = re.search(r"<summary>(.*?)</summary>", source, re.S).group(1).split("Abstract:", 1)[-1]
        arxiv_id = paper.key.removeprefix("arxiv:")
        entries.append(
            f"<entry><id>http://arxiv.org/abs/{arxiv_id}v1</id>"
            f"<published>{paper.submitted.isoformat()}T18:00:00Z</published>"
            f"<updated>{paper.submitted.isoformat()}T18:00:00Z</updated>"
            f"<title>{title}</title><summary>{summary}</summary>"
            f"<author><name>A. Author</name></author>"
            f'<link href="http://arxiv.org/abs/{arxiv_id}v1" rel="alternate" type="text/html"/>'
            f'<arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>'
            f'<category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/></entry>'
        )
    return head + "".join(entries) + "</feed>\n"


class SimServer:
    """The upstream on 127.0.0.1, answering every path from the script."""

    def __init__(self, upstream: Upstream):
        self.upstream = upstream
        self.http = HTTPServer(host="127.0.0.1")
        self.http.expect_request(re.compile(".*")).respond_with_handler(upstream.handle)
        self.http.start()

    @property
    def base(self) -> str:
        return self.http.url_for("").rstrip("/")

    def stop(self) -> None:
        self.http.clear()
        self.http.stop()
