"""Sending one message to one recipient: mail through [smtp], anything else through apprise.

A mail carries the whole digest (text and HTML) and is kept under
`MAIL_LIMIT` bytes as sent, because Gmail clips larger messages: papers are
dropped from the end (least upvoted last) until it fits, and the message says
how many more there are. A chat notification is a short list with links.
apprise knows Slack, Microsoft Teams workflows, Matrix, Discord, ntfy, plain
JSON webhooks and more, one URL per recipient (https://github.com/caronc/apprise/wiki).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.output.digest import Digest, render_chat, render_html, render_markdown
from pipeline.output.mail import MailError, SmtpSettings, build_message, send

MAIL_LIMIT = 100_000  # bytes of the whole message as sent; Gmail clips at about 102 KB
CHAT_PAPERS = 10


class SendError(Exception):
    """The recipient did not get the message; the text is one line."""


@dataclass(frozen=True)
class Prepared:
    """One message for one recipient, ready to send (or to show, for --dry-run)."""

    recipient: str
    subject: str
    text: str
    shown: int  # papers listed in it
    size: int  # bytes as sent (mail) or of the body (chat)
    send: Callable[[], None]


def apprise_available() -> bool:
    return importlib.util.find_spec("apprise") is not None


def prepare_mail(recipient: str, address: str, smtp: SmtpSettings, papers: Sequence[dict[str, Any]],
                 make_digest: Callable[[int | None], Digest]) -> Prepared:
    """The largest mail under MAIL_LIMIT: all papers if they fit, else as many as fit (binary search)."""

    def message_for(shown: int | None):
        digest = make_digest(shown)
        message = build_message(smtp.sender, [address], digest.subject, render_markdown(digest), render_html(digest))
        return digest, message, len(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))  # as on the wire

    digest, message, size = message_for(None)
    if size > MAIL_LIMIT:
        # The largest number of papers that fits (size grows with every paper shown).
        low, high, best = 0, len(papers) - 1, message_for(0)
        while low < high:
            middle = (low + high + 1) // 2
            candidate = message_for(middle)
            if candidate[2] <= MAIL_LIMIT:
                low, best = middle, candidate
            else:
                high = middle - 1
        digest, message, size = best

    def deliver() -> None:
        try:
            send(smtp, message)
        except MailError as exc:
            raise SendError(str(exc)) from None

    return Prepared(recipient, digest.subject, render_markdown(digest), digest.total - digest.more, size, deliver)


def prepare_chat(recipient: str, digest: Digest) -> Prepared:
    title, body = render_chat(digest, CHAT_PAPERS)

    def deliver() -> None:
        import apprise

        notifier = apprise.Apprise()
        if not notifier.add(recipient):
            raise SendError(f"{_redacted(recipient)}: not a notification URL apprise knows")
        with apprise.LogCapture(level=logging.WARNING) as log:
            sent = notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.MARKDOWN)
            detail = " ".join(log.getvalue().split())
        if not sent:
            raise SendError(f"{_redacted(recipient)}: {detail or 'apprise could not send the notification'}")

    return Prepared(recipient, title, body, min(CHAT_PAPERS, digest.total), len(body.encode()), deliver)


def _redacted(url: str) -> str:
    """A notification URL often holds its token: show the scheme and host only."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rpartition("@")[2]
    return f"{scheme}://{host}/…" if rest else url
