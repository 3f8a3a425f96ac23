"""`paperfeed deliver`: send each subscription what is new for it, once per recipient.

For each recipient, the papers the subscription's query matches that became
new (`first_listed_at`) on or after the subscription's first day and that this
recipient has not been sent. A paper is one row whatever sources, listings and
versions showed it, and a delivery row per (subscription, recipient, paper) is
written only after that recipient's send succeeded: a failed send records
nothing and the same papers go out next time.

Each message says which of the sources the subscription depends on were late
or failed, so "no new papers" never hides "the arXiv source failed last
night". A plain "no new papers" is only sent when the subscription asks for it
(`send_empty`); a note about failed sources is always sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from fnmatch import fnmatchcase
from typing import Any

from pipeline.config import ConfigError, SourceConfig
from pipeline.delivery.channels import Prepared, SendError, apprise_available, prepare_chat, prepare_mail
from pipeline.delivery.subscriptions import Subscription, is_mail, mail_address
from pipeline.output.digest import Digest, build_digest
from pipeline.output.mail import SmtpSettings
from pipeline.run.health import assess
from pipeline.run.staleness import source_findings
from pipeline.run.run import Pipeline
from pipeline.store import deliveries
from pipeline.store.deliveries import Selection
from pipeline.store.fts_query import SearchSyntaxError


@dataclass(frozen=True)
class RecipientOutcome:
    recipient: str
    papers: int  # papers new for this recipient
    shown: int  # papers the message listed
    subject: str | None = None  # None: nothing was sent (nothing new)
    error: str | None = None
    preview: str | None = None  # the message text, for --dry-run


@dataclass(frozen=True)
class DeliveryOutcome:
    subscription: str
    status: str  # sent, nothing-new, partial, failed, dry-run
    since: str
    late_sources: tuple[str, ...] = ()
    recipients: tuple[RecipientOutcome, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "partial")

    def line(self) -> str:
        sent = [r for r in self.recipients if r.subject and not r.error]
        papers = max((r.papers for r in self.recipients), default=0)
        text = f"{self.subscription}: {self.status}, {papers} new {'paper' if papers == 1 else 'papers'} since {self.since}"
        if sent and self.status != "dry-run":
            text += f", sent to {len(sent)} of {len(self.recipients)} recipients"
        if self.late_sources:
            text += f"; late or failed: {', '.join(self.late_sources)}"
        errors = [r.error for r in self.recipients if r.error]
        return text + (f"; {'; '.join(errors)}" if errors else "")


def dependencies(subscription: Subscription, sources: dict[str, SourceConfig]) -> list[SourceConfig]:
    """The enabled sources whose health the message reports: `after`, else those `sources` selects, else all."""
    patterns = subscription.after or subscription.sources
    return [s for s in sources.values() if s.enabled and (not patterns or any(fnmatchcase(s.name, p) for p in patterns))]


def late_notices(pipe: Pipeline, subscription: Subscription, now: datetime | None = None) -> list[tuple[str, str]]:
    """(source, what is wrong) for each dependency whose latest run failed, that is overdue, or
    that has gone silently stale (no new paper for longer than usual, a skipped or partial day)."""
    found = []
    for source in dependencies(subscription, pipe.config.sources):
        problems = assess(pipe.store, source, now).problems
        problems += [finding.reason for finding in source_findings(pipe.store, source)]
        if problems:
            found.append((source.name, "; ".join(problems)))
    return found


def first_day(pipe: Pipeline, subscription: Subscription, today: date | None = None) -> str:
    attempted = deliveries.first_attempt_day(pipe.store, subscription.name)
    start = date.fromisoformat(attempted) if attempted else (today or datetime.now(timezone.utc).date())
    return subscription.first_day(start)


def deliver(pipe: Pipeline, subscription: Subscription, *, dry_run: bool = False, now: datetime | None = None,
            unfinished: list[str] = ()) -> DeliveryOutcome:
    """Send (or, dry, prepare) this subscription's messages; record what each recipient received.

    `unfinished`: notices about ingests the scheduler waited for in vain (see `waiting`)."""
    since = first_day(pipe, subscription, now.date() if now else None)
    late = late_notices(pipe, subscription, now)
    notices = [f"source {name}: {problem}" for name, problem in late] + list(unfinished)
    selection = Selection(tags=subscription.tags, sources=subscription.sources,
                          min_upvotes=subscription.min_upvotes, query=subscription.query, since=since)
    smtp = _smtp(pipe, subscription) if any(is_mail(r) for r in subscription.recipients) else None
    if not apprise_available() and any(not is_mail(r) for r in subscription.recipients):
        raise ConfigError(f"subscription {subscription.name!r}: notification URLs need apprise"
                          " (pip install 'paperfeed[notify]')")
    try:
        pending = {r: deliveries.pending(pipe.store, subscription.name, r, selection) for r in subscription.recipients}
    except SearchSyntaxError as exc:
        raise ConfigError(f"subscription {subscription.name!r}: {exc}") from None
    run_id = None if dry_run else deliveries.start_run(pipe.store, subscription.name)
    outcomes: list[RecipientOutcome] = []
    try:
        for recipient, papers in pending.items():
            outcomes.append(_deliver_one(pipe, subscription, recipient, papers, since, notices, smtp, run_id))
    except BaseException as exc:  # a bug or Ctrl-C mid-way: the run says so; what was sent stays recorded
        if run_id is not None:
            deliveries.finish_run(pipe.store, run_id, status="failed", papers=0,
                                  recipients=sum(1 for o in outcomes if o.subject and not o.error),
                                  late_sources=[], errors=[f"stopped: {type(exc).__name__}: {exc}"])
        raise
    status = "dry-run" if dry_run else _status(outcomes)
    late_names = [name for name, _ in late] + [n.split()[1] for n in unfinished]
    outcome = DeliveryOutcome(subscription.name, status, since, tuple(dict.fromkeys(late_names)), tuple(outcomes))
    if run_id is not None:
        deliveries.finish_run(
            pipe.store, run_id, status=status, papers=max((o.shown for o in outcomes if o.subject), default=0),
            recipients=sum(1 for o in outcomes if o.subject and not o.error), late_sources=list(outcome.late_sources),
            errors=[o.error for o in outcomes if o.error])
    return outcome


def _deliver_one(pipe: Pipeline, subscription: Subscription, recipient: str, papers: list[dict[str, Any]],
                 since: str, notices: list[str], smtp: SmtpSettings | None, run_id: int | None) -> RecipientOutcome:
    """One recipient: prepare, and unless dry (`run_id` None), send and record what it carried."""
    papers.sort(key=lambda p: (-(p.get("upvotes") or 0), p.get("first_listed_at") or "", p["title"].lower()))
    if not papers and not notices and not subscription.send_empty:
        return RecipientOutcome(recipient, 0, 0)
    prepared = _prepare(recipient, subscription, papers, since, notices, smtp)
    if run_id is None:
        return RecipientOutcome(recipient, len(papers), prepared.shown, prepared.subject, preview=prepared.text)
    try:
        prepared.send()
    except SendError as exc:
        return RecipientOutcome(recipient, len(papers), prepared.shown, prepared.subject, error=str(exc))
    # Papers only counted in "N more" reach the reader only through the full list's link.
    carried = papers if subscription.list_url else papers[:prepared.shown]
    deliveries.record_sent(pipe.store, run_id, subscription.name, recipient, [p["id"] for p in carried])
    return RecipientOutcome(recipient, len(papers), prepared.shown, prepared.subject)

def _status(outcomes: list[RecipientOutcome]) -> str:
    errors = sum(1 for o in outcomes if o.error)
    if errors:
        return "failed" if errors == len(outcomes) else "partial"
    return "sent" if any(o.subject and o.papers for o in outcomes) else "nothing-new"


def _smtp(pipe: Pipeline, subscription: Subscription) -> SmtpSettings:
    try:
        return SmtpSettings.from_config(pipe.config.settings, pipe.config.directory)
    except ConfigError as exc:
        raise ConfigError(f"subscription {subscription.name!r} mails its recipients, but {exc}") from None


def _prepare(recipient: str, subscription: Subscription, papers: list[dict[str, Any]], since: str,
             notices: list[str], smtp: SmtpSettings | None) -> Prepared:
    def make(shown: int | None) -> Digest:
        return build_digest(papers, tag=subscription.name, since=since, shown=shown, heading=subscription.heading,
                            notices=notices, more_link=subscription.list_url)

    if is_mail(recipient):
        assert smtp is not None
        return prepare_mail(recipient, mail_address(recipient), smtp, papers, make)
    return prepare_chat(recipient, make(None))
