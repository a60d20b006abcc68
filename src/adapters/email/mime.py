"""Our ``EmailMessage`` as a standard-library MIME message (multipart text + HTML)."""

from __future__ import annotations

import email.message
import email.utils

from application.ports.mailer import EmailMessage


def to_mime(message: EmailMessage, sender: str) -> email.message.EmailMessage:
    mime = email.message.EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    for name, value in message.headers:
        mime[name] = value
    if "Message-ID" not in mime:
        mime["Message-ID"] = email.utils.make_msgid()
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    return mime
