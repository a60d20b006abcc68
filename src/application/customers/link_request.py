"""What linking a user to a Stripe customer asks for (``LinkCustomer``, ``LinkWriter``)."""

from __future__ import annotations

from dataclasses import dataclass

OPERATOR = "cli"


@dataclass(frozen=True, slots=True)
class LinkCustomerRequest:
    user_id: str
    stripe_customer_id: str
    segment: str
    email: str | None = None
    # Who asks: ``cli``, ``api_key:<id>`` or ``stripe:<source>``; recorded in the link audit.
    actor: str = OPERATOR
    # False: a user already linked to another customer is refused (LinkConflict) instead of
    # being moved; the server API's "link" and automatic linking use that, its "relink" and
    # the CLI do not.
    replace_existing: bool = True
