from __future__ import annotations

from typing import Protocol


class MailTransportProbe(Protocol):
    """Checks that mail can leave without sending any: the SMTP server answers (and
    accepts our login), or the file backend's folder is writable.

    Returns a short description of what was reached; raises ``MailDeliveryFailed``.
    """

    async def probe(self) -> str: ...
