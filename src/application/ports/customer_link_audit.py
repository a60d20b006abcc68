from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

LinkAction = Literal["link", "relink", "unlink", "segment"]


@dataclass(frozen=True, slots=True)
class CustomerLinkChange:
    """One change to a user's link: what it was, what it became, and who asked.

    ``actor`` names the caller: ``api_key:<key id>`` for the server API, ``cli`` for an
    operator's command.
    """

    action: LinkAction
    user_id: str
    actor: str
    occurred_at: datetime
    customer_id: str | None = None
    segment: str | None = None
    previous_customer_id: str | None = None
    previous_segment: str | None = None


class CustomerLinkAudit(Protocol):
    """Keeps (and logs) every change to a customer link; the caller commits."""

    async def record(self, change: CustomerLinkChange) -> None: ...
