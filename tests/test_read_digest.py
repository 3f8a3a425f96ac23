"""`paperfeed digest`: grouped by modality, escaped, and delivered to a real local SMTP server."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess

import pytest
from readdb import reading_db  # noqa: F401  (fixture)

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
from aiosmtpd.smtp import AuthResult  # noqa: E402

SUBJECT = "paperfeed digest: 6 medical-imaging papers since 2024-10-28"


def digest(run_cli, *args):
    result = run_cli("digest", "--since", "2024-10-28", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_markdown_digest_groups_by_modality_with_upvotes_links_and_matches(run_cli, reading_db):
    text = digest(run_cli)
    assert text.startswith(f"# {SUBJECT}\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## MRI (3)", "## CT (2)", "## Ultrasound (1)", "## Other (1)"]
    mri = text.split("## MRI (3)")[1].split("## CT")[0]
    order = [mri.index(title) for title in ("Brain tumour", "Whole-body", "Magnetic resonance spectroscopy")]
    assert order == sorted(order)  # most upvoted first: 12, 9, 5
    assert "· 12 upvotes" in mri and "(https://huggingface.co/papers/2410.99001)" in mri
    assert "[PDF](https://arxiv.org/pdf/2410.99001)" in mri
    assert "modality:mri: magnetic resonance" in mri and "task:segmentation: segmentation" in mri
    other = text.split("## Other (1)")[1]
    assert "A benchmark for deformable registration of medical images" in other
    # Papers outside the period or without the tag are absent.
    assert "Llama" not in text and "resonance peaks" not in text


def test_digest_escapes_the_script_title_in_markdown_and_html(run_cli, reading_db):
    markdown = digest(run_cli)
    assert "<script" not in markdown and "&lt;script>alert(1)&lt;/script>" in markdown
    html = digest(run_cli, "--format", "html")
    assert "<script" not in html.lower() and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h2>MRI (3)</h2>" in html and "<h2>Other (1)</h2>" in html


def test_empty_period_says_so(run_cli, reading_db):
    result = run_cli("digest", "--since", "2030-01-01")
    assert result.exit_code == 0 and "0 medical-imaging papers since 2030-01-01" in result.stdout
    assert "No papers in this period." in result.stdout


# -- email ------------------------------------------------------------------------------------


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure_smtp(config_dir, port, *, starttls, extra=""):
    settings = config_dir / "settings.toml"
    text = settings.read_text().replace('host = ""', f'host = "127.0.0.1"\ntimeout = 5\n{extra}')
    text = text.replace("port = 587", f"port = {port}").replace("starttls = true", f"starttls = {str(starttls).lower()}")
    text = text.replace('from = "paperfeed@example.org"', 'from = "digest@paperfeed.test"')
    settings.write_text(text)


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def read_message(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def test_digest_email_arrives_with_subject_text_and_escaped_html(run_cli, reading_db, config_dir, smtp_server):
    inbox, port = smtp_server
    configure_smtp(config_dir, port, starttls=False)
    result = run_cli("digest", "--since", "2024-10-28", "--email", "team@lab.test", "--email", "me@lab.test")
    assert result.exit_code == 0, result.output
    assert f"sent '{SUBJECT}'" in result.stderr and result.stdout == ""
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "digest@paperfeed.test"
    assert envelope.rcpt_tos == ["team@lab.test", "me@lab.test"]
    message = read_message(envelope)
    assert message["Subject"] == SUBJECT and message["To"] == "team@lab.test, me@lab.test"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "## MRI (3)" in text and "Brain tumour segmentation in magnetic resonance imaging" in text
    assert "<h2>MRI (3)</h2>" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()


def self_signed_cert(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def test_starttls_with_password_from_the_environment(run_cli, reading_db, config_dir, tmp_path, monkeypatch):
    cert, key = self_signed_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password, session.ssl is not None))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    inbox = Inbox()
    controller = aiosmtpd_controller.Controller(
        inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
        authenticator=authenticator, auth_require_tls=True,
    )
    controller.start()
    try:
        shutil.copy(cert, config_dir / "relay-ca.pem")
        configure_smtp(config_dir, controller.port, starttls=True, extra='cafile = "relay-ca.pem"')
        monkeypatch.setenv("PAPERFEED_SMTP_USER", "digest-bot")
        monkeypatch.setenv("PAPERFEED_SMTP_PASSWORD", "s3cret")
        result = run_cli("digest", "--since", "2024-10-28", "--email", "team@lab.test")
        assert result.exit_code == 0, result.output
        assert logins == [(b"digest-bot", b"s3cret", True)]
        assert read_message(inbox.envelopes[0])["Subject"] == SUBJECT

        monkeypatch.setenv("PAPERFEED_SMTP_PASSWORD", "wrong")
        refused = run_cli("digest", "--since", "2024-10-28", "--email", "team@lab.test")
        assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
        assert refused.stderr.startswith(f"paperfeed: SMTP 127.0.0.1:{controller.port}: (535")
        assert len(inbox.envelopes) == 1
    finally:
        controller.stop()


def test_untrusted_certificate_is_refused(run_cli, reading_db, config_dir, tmp_path):
    cert, key = self_signed_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=free_port(),
                                                tls_context=context, require_starttls=True)
    controller.start()
    try:
        configure_smtp(config_dir, controller.port, starttls=True)  # no cafile: the system CAs do not know it
        result = run_cli("digest", "--since", "2024-10-28", "--email", "team@lab.test")
        assert result.exit_code == 1 and "CERTIFICATE_VERIFY_FAILED" in result.stderr
        assert inbox.envelopes == []
    finally:
        controller.stop()


def test_mail_configuration_errors_are_one_line(run_cli, reading_db, config_dir, monkeypatch):
    unconfigured = run_cli("digest", "--email", "team@lab.test")
    assert unconfigured.exit_code == 2 and "no SMTP host configured" in unconfigured.stderr
    configure_smtp(config_dir, free_port(), starttls=False)
    monkeypatch.setenv("PAPERFEED_SMTP_USER", "bot")
    monkeypatch.setenv("PAPERFEED_SMTP_PASSWORD", "pw")
    plain_password = run_cli("digest", "--email", "team@lab.test")
    assert plain_password.exit_code == 2 and "without STARTTLS" in plain_password.stderr
    monkeypatch.delenv("PAPERFEED_SMTP_USER")
    monkeypatch.delenv("PAPERFEED_SMTP_PASSWORD")
    nobody_listening = run_cli("digest", "--since", "2024-10-28", "--email", "team@lab.test")
    assert nobody_listening.exit_code == 1 and nobody_listening.stderr.count("\n") == 1
    assert nobody_listening.stderr.startswith("paperfeed: SMTP 127.0.0.1:")
