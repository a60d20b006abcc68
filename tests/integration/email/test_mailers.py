"""The SMTP mailer against a real SMTP server (aiosmtpd) and the file mailer on disk."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from adapters.email.file_mailer import FileMailer
from adapters.email.renderer import JinjaEmailRenderer
from adapters.email.smtp_mailer import SmtpMailer
from application.errors import MailDeliveryFailed
from application.ports.mailer import EmailMessage
from application.sync.send_outbox_batch import message_id


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def payment_failed() -> EmailMessage:
    rendered = JinjaEmailRenderer(app_name="Acme").render(
        "payment_failed",
        {
            "amount": "19.99 USD",
            "invoice_number": "7FE1103-0001",
            "hosted_invoice_url": "https://pay.example/in_1",
            "update_url": "https://app.example/billing?flow=payment_method_update",
            "event_id": "evt_1",
        },
    )
    return EmailMessage(
        to="ada@example.com",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=(("Message-ID", message_id("evt_1:payment_failed", "acme.test")),),
    )


async def test_the_smtp_server_receives_exactly_one_message(smtp_server) -> None:
    inbox, port = smtp_server
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="billing@acme.test", timeout=5)

    await mailer.send(payment_failed())

    [received] = inbox.messages
    assert inbox.envelopes == [("billing@acme.test", ["ada@example.com"])]
    assert received["Subject"] == "We could not take your payment of 19.99 USD"
    assert received["Message-ID"] == message_id("evt_1:payment_failed", "acme.test")
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "https://app.example/billing?flow=payment_method_update" in text
    assert 'href="https://app.example/billing?flow=payment_method_update"' in html


async def test_an_unreachable_server_is_an_application_error() -> None:
    mailer = SmtpMailer(host="127.0.0.1", port=free_port(), sender="billing@acme.test", timeout=2)
    with pytest.raises(MailDeliveryFailed, match="did not accept"):
        await mailer.send(payment_failed())


async def test_the_file_mailer_writes_one_eml_per_message(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path / "mail", sender="billing@acme.test")

    await mailer.send(payment_failed())
    await mailer.send(payment_failed())  # the same message again replaces its file

    [written] = list((tmp_path / "mail").iterdir())
    assert written.suffix == ".eml"
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "ada@example.com"
    assert parsed.is_multipart()
    assert {p.get_content_type() for p in parsed.iter_parts()} == {"text/plain", "text/html"}


async def test_the_file_mailer_encodes_non_ascii_headers_and_bodies(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path / "mail", sender="Zoë's Billing <billing@acme.test>")
    message = EmailMessage(
        to="Ünal Çelik <unal@example.com>",
        subject="Your Prämie plan has changed — see what's new",
        text="Grüße,\nyour plan changed.",
        html="<p>Grüße</p>",
        headers=(("Message-ID", message_id("evt_9:plan_changed", "acme.test")),),
    )

    await mailer.send(message)

    [written] = list((tmp_path / "mail").iterdir())
    raw = written.read_bytes()
    assert raw.isascii()  # 7-bit: encoded words in the headers, quoted-printable bodies
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == message.subject
    assert parsed["From"].addresses[0].display_name == "Zoë's Billing"
    assert parsed["To"].addresses[0].addr_spec == "unal@example.com"
    assert parsed["To"].addresses[0].display_name == "Ünal Çelik"
    assert parsed.get_body(("plain",)).get_content() == "Grüße,\nyour plan changed.\n"
    assert parsed.get_body(("html",)).get_content() == "<p>Grüße</p>\n"


async def test_a_line_break_in_a_header_is_refused(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path / "mail", sender="billing@acme.test")
    injected = dataclasses.replace(payment_failed(), subject="Hi\r\nBcc: someone@evil.test")

    with pytest.raises(ValueError, match="line break"):
        await mailer.send(injected)
    assert not (tmp_path / "mail").exists() or not list((tmp_path / "mail").iterdir())


async def test_long_headers_and_lines_are_folded_and_read_back_whole(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path / "mail", sender="billing@acme.test")
    subject = "Your plan changed to " + "Enterprise Gold Unlimited " * 6
    long_line = "See https://billing.example/" + "x" * 300 + " for details."
    message = dataclasses.replace(payment_failed(), subject=subject.strip(), text=long_line)

    await mailer.send(message)

    [written] = list((tmp_path / "mail").iterdir())
    raw = written.read_bytes()
    assert max(len(line) for line in raw.splitlines()) <= 78
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject.strip()
    assert parsed.get_body(("plain",)).get_content() == long_line + "\n"
    assert all(not part.defects for part in parsed.walk())
