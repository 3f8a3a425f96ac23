"""Sending a digest by email through the SMTP relay named in `[smtp]` of settings.toml.

Credentials never live in configuration files: the config names the
environment variables that hold them. A password is only ever sent over an
encrypted session (STARTTLS), and the server's certificate is checked
(against the system's CAs, or `cafile` for a relay with a private CA).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from pipeline.config import ConfigError

SMTP_KEYS = {"host", "port", "starttls", "from", "user", "user_env", "password_env", "timeout", "cafile"}


class MailError(Exception):
    """Sending failed; the message is one line."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    cafile: Path | None = None

    @classmethod
    def from_config(cls, settings: dict[str, Any], config_dir: Path,
                    environ: dict[str, str] | None = None) -> SmtpSettings:
        environ = os.environ if environ is None else environ
        where = f"{config_dir / 'settings.toml'}: [smtp]"
        table = settings.get("smtp")
        if not isinstance(table, dict) or not table.get("host"):
            raise ConfigError(f"{where}: no SMTP host configured (set host, port and from to send mail)")
        unknown = set(table) - SMTP_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        if not table.get("from"):
            raise ConfigError(f"{where}: 'from' (the sender address) is missing")
        user = table.get("user") or environ.get(table.get("user_env", "PAPERFEED_SMTP_USER")) or None
        password_env = table.get("password_env", "PAPERFEED_SMTP_PASSWORD")
        password = environ.get(password_env) or None
        if user and not password:
            raise ConfigError(f"{where}: user {user!r} is set but the environment variable {password_env} is empty")
        starttls = bool(table.get("starttls", True))
        if password and not starttls:
            raise ConfigError(f"{where}: refusing to send a password without STARTTLS (set starttls = true)")
        cafile = table.get("cafile")
        try:
            return cls(host=str(table["host"]), sender=str(table["from"]), port=int(table.get("port", 587)),
                       starttls=starttls, user=user, password=password, timeout=float(table.get("timeout", 30.0)),
                       cafile=(config_dir / cafile) if cafile else None)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from None


def build_message(sender: str, to: list[str], subject: str, text: str, html: str | None) -> EmailMessage:
    """A text/plain message, with an HTML alternative when given.

    A line break in a header value would start a header of its own (`Bcc:`
    smuggled in through `--email` or a tag name): MailError, one line.
    """
    headers = {"Subject": subject, "From": sender, "To": ", ".join(to)}
    for name, value in headers.items():
        if any(char in value for char in "\r\n\x00"):
            raise MailError(f"mail header {name} {value!r}: a header cannot contain a line break")
    message = EmailMessage()
    for name, value in headers.items():
        message[name] = value
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                context = ssl.create_default_context(cafile=str(settings.cafile) if settings.cafile else None)
                smtp.starttls(context=context)
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise MailError(f"SMTP {settings.host}:{settings.port}: {detail}") from None
