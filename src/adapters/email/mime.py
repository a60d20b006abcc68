"""Our ``EmailMessage`` as a standard-library MIME message (multipart text + HTML).

Built with the ``compat32`` classes (``email.mime``), whose headers are plain strings:
the default policy's ``EmailMessage`` parses every header it is given into a structured
object and folds it again on output, which made building and serialising a message
several milliseconds, most of the worker's cost of sending an email. The result is the
same standard message: non-ASCII headers as RFC 2047 encoded words, UTF-8 bodies.
``to_bytes`` writes that message's bytes directly (the file mailer's path).
"""

from __future__ import annotations

import binascii
import email.utils
import secrets
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart

from application.ports.mailer import EmailMessage

_ADDRESS_HEADERS = frozenset({"from", "to", "cc", "bcc", "reply-to", "sender"})
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable in the raw message, as set_content chose for text


def to_mime(message: EmailMessage, sender: str) -> Message:
    mime = MIMEMultipart("alternative")
    _set(mime, "From", sender)
    _set(mime, "To", message.to)
    _set(mime, "Subject", message.subject)
    mime["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    for name, value in message.headers:
        _set(mime, name, value)
    if "Message-ID" not in mime:
        mime["Message-ID"] = email.utils.make_msgid()
    mime.attach(_text(message.text, "plain"))
    if message.html:
        mime.attach(_text(message.html, "html"))
    return mime


def to_bytes(message: EmailMessage, sender: str) -> tuple[str, bytes]:
    """The Message-ID and the bytes of the message ``to_mime`` builds (the same headers,
    parts and encodings), written out directly: the ``email`` generator's folding of
    every header was most of what is left of the cost of a message."""
    headers = [("From", sender), ("To", message.to), ("Subject", message.subject)]
    headers.append(("Date", email.utils.formatdate(localtime=False, usegmt=True)))
    headers.extend(message.headers)
    names = {name.lower() for name, _ in headers}
    if "message-id" not in names:
        headers.append(("Message-ID", email.utils.make_msgid()))
    message_id = next(value for name, value in headers if name.lower() == "message-id")
    boundary = f"==============={secrets.randbelow(10**19):019d}=="
    lines = [
        "Content-Type: multipart/alternative;",
        f' boundary="{boundary}"',
        "MIME-Version: 1.0",
        *(f"{name}: {_header_value(name, value)}" for name, value in headers),
        "",
    ]
    parts = [(message.text, "plain")] + ([(message.html, "html")] if message.html else [])
    for body, subtype in parts:
        if not body.endswith("\n"):
            body += "\n"
        lines += [
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
            "",
            binascii.b2a_qp(body.encode(), istext=True).decode("ascii"),
        ]
    lines.append(f"--{boundary}--\n")
    return message_id, "\n".join(lines).encode("ascii")


def _header_value(name: str, value: str) -> str:
    """A header's value as it is written: checked as ``_set`` does, encoded words for
    non-ASCII, folded when longer than a line should be."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"the {name} header may not contain a line break")
    if value.isascii() and len(name) + len(value) < 77:
        return value
    if value.isascii():
        return Header(value, header_name=name).encode()
    if name.lower() in _ADDRESS_HEADERS:
        pairs = email.utils.getaddresses([value])
        return ", ".join(email.utils.formataddr(pair, charset="utf-8") for pair in pairs)
    return Header(value, "utf-8", header_name=name).encode()


def _text(body: str, subtype: str) -> Message:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(body if body.endswith("\n") else body + "\n", _UTF8)
    return part


def _set(mime: Message, name: str, value: str) -> None:
    """One header; like the default policy, a line break in a value is refused (no header
    injection) and a non-ASCII value is encoded (an address's display name only)."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"the {name} header may not contain a line break")
    if value.isascii():
        mime[name] = value
    elif name.lower() in _ADDRESS_HEADERS:
        mime[name] = ", ".join(
            email.utils.formataddr(pair, charset="utf-8")
            for pair in email.utils.getaddresses([value])
        )
    else:
        mime[name] = Header(value, "utf-8", header_name=name)  # type: ignore[assignment]
