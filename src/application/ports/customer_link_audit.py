from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

LinkAction = Literal["link", "relink", "unlink", "segment", "refused"]
# Why an automatic link was refused (``refused`` rows only).
RefusalReason = Literal[
    "customer_linked_elsewhere",  # the customer belongs to another user
    "user_linked_elsewhere",  # the user is linked to another customer
    "unknown_segment",  # not one of the policy's segments
    "no_segment",  # none in the metadata and no default segment configured
    "invalid",  # a malformed user id or customer id
]


@dataclass(frozen=True, slots=True)
class CustomerLinkChange:
    """One change to a user's link: what it was, what it became, and who asked.

    ``actor`` names the caller: ``api_key:<key id>`` for the server API, ``cli`` for an
    operator's command, ``stripe:checkout`` or ``stripe:metadata`` for an automatic link.
    A ``refused`` change (automatic links only) changed nothing: ``customer_id`` and
    ``segment`` are what was asked, ``reason`` says why not and ``detail`` names the other
    party of a conflict.
    """

    action: LinkAction
    user_id: str
    actor: str
    occurred_at: datetime
    customer_id: str | None = None
    segment: str | None = None
    previous_customer_id: str | None = None
    previous_segment: str | None = None
    reason: RefusalReason | None = None
    detail: str | None = None


class CustomerLinkAudit(Protocol):
    """Keeps (and logs) every change to a customer link; the caller commits."""

    async def record(self, change: CustomerLinkChange) -> None: ...
