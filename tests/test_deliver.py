"""Subscriptions delivered over three days to a real local SMTP server and a local webhook (apprise json://):
each subscription gets each matching paper once, and a failed send is retried the next day, then recorded once."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import FIXTURES
from test_read_digest import configure_smtp, free_port, read_message

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
pytest.importorskip("apprise")

DAYS = [
    FIXTURES / "read" / "api_daily_2024-10-28_medical.json",
    FIXTURES / "read" / "api_daily_2024-10-29_revised_abstract.json",
    FIXTURES / "deliver" / "arxiv_rss_eess.IV_2024-10-30_handmade.xml",
]


class Inbox:
    """Accepts every message, except to the addresses in `refuse` (answered 554, as a full mailbox would be)."""

    def __init__(self):
        self.envelopes = []
        self.refuse: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse & set(envelope.rcpt_tos):
            return "554 5.2.2 mailbox full"
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages_to(self, address):
        return [read_message(e) for e in self.envelopes if address in e.rcpt_tos]


@pytest.fixture
def inbox(config_dir):
    inbox = Inbox()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    configure_smtp(config_dir, controller.port, starttls=False)
    yield inbox
    controller.stop()


def write_subscriptions(config_dir, hook: str) -> None:
    (config_dir / "subscriptions.toml").write_text(f"""
# Two overlapping queries: MRI papers, and segmentation papers.
[subscriptions.mri]
tags = ["medical-imaging", "modality:mri"]
recipients = ["mailto:ana@lab.test", "{hook}"]
since = "2024-10-01"

[subscriptions.segmentation]
tags = ["medical-imaging"]
query = "segmentation"
recipients = ["mailto:bo@lab.test"]
since = "2024-10-01"
""")


def delivered(db_path) -> dict[tuple[str, str], list[str]]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT subscription, recipient, paper_id FROM deliveries ORDER BY paper_id").fetchall()
    conn.close()
    found: dict[tuple[str, str], list[str]] = {}
    for subscription, recipient, paper in rows:
        found.setdefault((subscription, recipient), []).append(paper)
    return found


def test_three_days_each_paper_once_and_failed_sends_retried(run_cli, config_dir, db_path, inbox, server):
    hook = f"json://127.0.0.1:{server.port}/hook"
    write_subscriptions(config_dir, hook)
    # Day 1: the webhook answers 500 and Bo's mailbox refuses; Ana's mail goes through.
    server.expect_oneshot_request("/hook", method="POST").respond_with_data("boom", status=500)
    inbox.refuse = {"bo@lab.test"}
    assert run_cli("ingest", str(DAYS[0])).exit_code == 0
    first = run_cli("deliver")
    assert first.exit_code == 1  # a send failed
    assert "mri: partial" in first.stderr and "segmentation: failed" in first.stderr and "554" in first.stderr
    assert delivered(db_path) == {("mri", "mailto:ana@lab.test"): ["arxiv:2410.99001"]}
    # Day 2: both work again; the failed recipients get day 1's papers now, Ana gets nothing twice.
    server.expect_request("/hook", method="POST").respond_with_data("ok")
    inbox.refuse = set()
    assert run_cli("ingest", str(DAYS[1])).exit_code == 0
    second = run_cli("deliver")
    assert second.exit_code == 0, second.output
    # Day 3: arXiv lists 2410.99001 again (a cross-list) and a new MRI paper.
    assert run_cli("ingest", str(DAYS[2])).exit_code == 0
    third = run_cli("deliver")
    assert third.exit_code == 0, third.output

    assert delivered(db_path) == {
        ("mri", "mailto:ana@lab.test"): ["arxiv:2410.99001", "arxiv:2410.99020"],
        ("mri", hook): ["arxiv:2410.99001", "arxiv:2410.99020"],
        ("segmentation", "mailto:bo@lab.test"): ["arxiv:2410.99001", "arxiv:2410.99005"],
    }
    brain = "Brain tumour segmentation in magnetic resonance imaging"
    for address, expected in (("ana@lab.test", 2), ("bo@lab.test", 1)):
        mails = inbox.messages_to(address)
        assert len(mails) == expected
        assert sum(brain in m.get_body(("plain",)).get_content() for m in mails) == 1
    ana_day3 = inbox.messages_to("ana@lab.test")[1]
    assert ana_day3["Subject"] == "paperfeed: mri: 1 new paper since 2024-10-01"
    text = ana_day3.get_body(("plain",)).get_content()
    assert "Fast T₁ mapping of the knee with self-supervised MRI reconstruction" in text  # LaTeX rendered
    assert "[code](https://github.com/example-lab/knee-t1map)" in text
    assert "Eva Novak, Farid Haddad, Grace Liu et al. (7)" in text
    posts = [json.loads(request.get_data()) for request, _ in server.log if request.path == "/hook"]
    assert len(posts) == 3  # the failed one, the retry, day 3
    assert sum(brain in post["message"] for post in posts) == 2  # sent once and failed, then sent once
    assert brain in posts[1]["message"] and brain not in posts[2]["message"]


def test_dry_run_shows_the_message_and_records_nothing(run_cli, config_dir, db_path, inbox, server):
    write_subscriptions(config_dir, f"json://127.0.0.1:{server.port}/hook")
    assert run_cli("ingest", str(DAYS[0])).exit_code == 0
    result = run_cli("deliver", "segmentation", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "--- segmentation -> mailto:bo@lab.test: paperfeed: segmentation: 2 new papers since 2024-10-01" in result.stdout
    assert "Whole-body foundation model" in result.stdout
    assert inbox.envelopes == [] and server.log == [] and delivered(db_path) == {}
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM delivery_runs").fetchone()[0] == 0
    conn.close()


def many_papers(path, count: int):
    """A Daily Papers answer of `count` MRI papers with long abstracts: more than one mail can carry."""
    items = [{"paper": {"id": f"2410.{10000 + i}", "title": f"Brain MRI segmentation study number {i}",
                        "authors": [{"name": f"Author {i} {j}"} for j in range(9)],
                        "summary": "Magnetic resonance imaging of the brain. " * 40, "upvotes": i % 17,
                        "publishedAt": "2024-10-27T10:00:00.000Z"},
              "publishedAt": "2024-10-28T08:00:00.000Z", "title": f"Brain MRI segmentation study number {i}"}
             for i in range(count)]
    path.write_text(json.dumps(items))
    return path


@pytest.mark.parametrize("list_url", [None, "https://papers.lab.test/-/reading"])
def test_a_mail_stays_under_100_kb_and_says_how_many_more(run_cli, config_dir, db_path, inbox, tmp_path, list_url):
    extra = f'list_url = "{list_url}"\n' if list_url else ""
    (config_dir / "subscriptions.toml").write_text(
        '[subscriptions.mri]\ntags = ["medical-imaging"]\nrecipients = ["mailto:ana@lab.test"]\n'
        f'since = "2024-10-01"\n{extra}')
    assert run_cli("ingest", str(many_papers(tmp_path / "big.json", 600))).exit_code == 0
    result = run_cli("deliver")
    assert result.exit_code == 0, result.output
    [envelope] = inbox.envelopes
    assert len(envelope.original_content) < 100_000
    text = read_message(envelope).get_body(("plain",)).get_content()
    shown = text.count("- **[Brain MRI segmentation study number")
    assert 20 < shown < 600 and f"**{600 - shown} more papers not shown here" in text
    recorded = sum(len(v) for v in delivered(db_path).values())
    if list_url:
        assert f"[the full list]({list_url})" in text and recorded == 600
    else:
        assert recorded == shown  # the rest come in the next message
        assert run_cli("deliver").exit_code == 0 and len(inbox.envelopes) == 2
        second = read_message(inbox.envelopes[1]).get_body(("plain",)).get_content()
        shown_next = second.count("- **[Brain MRI segmentation study number")
        assert shown_next > 20 and sum(len(v) for v in delivered(db_path).values()) == shown + shown_next
        assert f"{600 - shown - shown_next} more papers" in second


def test_the_python_api_delivers_through_the_same_path(db_path, config_dir, inbox, server):
    import pipeline

    write_subscriptions(config_dir, f"json://127.0.0.1:{server.port}/hook")
    server.expect_request("/hook", method="POST").respond_with_data("ok")
    with pipeline.open(db_path, config_dir) as feed:
        feed.ingest(DAYS[0])
        assert set(feed.subscriptions()) == {"mri", "segmentation"}
        [dry] = feed.deliver("segmentation", dry_run=True)
        assert dry.status == "dry-run" and delivered(db_path) == {}
        outcomes = feed.deliver()
        assert [o.status for o in outcomes] == ["sent", "sent"]
        assert [o.status for o in feed.deliver()] == ["nothing-new", "nothing-new"]
    assert len(inbox.messages_to("bo@lab.test")) == 1
