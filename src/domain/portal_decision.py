"""The single outcome the portal access policy reaches for a user."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.portal_flow import FlowType


class DecisionReason(StrEnum):
    """Which rule decided; stable strings that reach the API, the audit and the logs."""

    NO_BILLING_ACCOUNT = "no_billing_account"
    NEVER_SUBSCRIBED = "never_subscribed"
    INCOMPLETE_PAYMENT = "incomplete_payment"
    SUBSCRIPTIONS_ENDED = "subscriptions_ended"
    PAYMENT_OVERDUE = "payment_overdue"
    MULTIPLE_SUBSCRIPTIONS = "multiple_subscriptions"
    UNRECOGNISED_STATUS = "unrecognised_status"
    SEGMENT = "segment"
    TENURE_RESTRICTED = "tenure_restricted"


@dataclass(frozen=True, slots=True)
class NoLinkedCustomer:
    """No Stripe customer is linked to the user (the application raises
    ``NoBillingAccount`` for it: there is nothing to open a portal for)."""

    explanation: str
    reason: DecisionReason = DecisionReason.NO_BILLING_ACCOUNT


@dataclass(frozen=True, slots=True)
class Redirect:
    """Send the user somewhere else: an app path (``/pricing``) or a Stripe-hosted page."""

    reason: DecisionReason
    redirect_to: str
    explanation: str
    subscription_id: str | None = None


@dataclass(frozen=True, slots=True)
class OpenPortal:
    """Open the Stripe portal with ``configuration`` (a catalog name), maybe deep-linked."""

    reason: DecisionReason
    configuration: str
    explanation: str
    default_flow: FlowType | None = None
    subscription_id: str | None = None
    return_markers: tuple[tuple[str, str], ...] = ()


PortalDecision = NoLinkedCustomer | Redirect | OpenPortal
