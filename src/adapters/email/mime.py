"""Our ``EmailMessage`` as a standard-library MIME message (multipart text + HTML).

Built with the ``compat32`` classes (``email.mime``), whose headers are plain strings:
the default policy's ``EmailMessage`` parses every header it is given into a structured
object and folds it again on output, which made building and serialising a message
several milliseconds, most of the worker's cost of sending an email. The result is the
same standard message: non-ASCII headers as RFC 2047 encoded words, UTF-8 bodies.
"""

from __future__ import annotations

import email.utils
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
        mime[name] = Header(value, "utf-8", header_name=name)
