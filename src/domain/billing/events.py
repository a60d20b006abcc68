"""What the billing provider reports, as typed events.

The provider's wire format is read in its adapter (``adapters/stripe/events.py``); these
carry what the mirror and the email rules need, and nothing of the provider's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.billing.customer import MirroredCustomer, TaxId
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription, PriceNaming
from domain.billing.version import SourceVersion


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    """Every event's identity. ``type`` is the provider's name for it (logs, the inbox)."""

    id: str
    type: str
    version: SourceVersion  # the event's creation time, and its id
    livemode: bool


class Change(StrEnum):
    """What happened to the object the event is about."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class CustomerChanged:
    envelope: EventEnvelope
    change: Change
    customer: MirroredCustomer
    # True when this event changed the default payment method (to ``customer``'s).
    default_payment_method_changed: bool = False
    previous_default_payment_method_id: str | None = None


class SubscriptionMoment(StrEnum):
    """The subscription events: its lifecycle, and the trial-ending reminder."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    PAUSED = "paused"
    RESUMED = "resumed"
    TRIAL_WILL_END = "trial_will_end"


@dataclass(frozen=True, slots=True)
class SubscriptionBefore:
    """What the subscription was before this change, for the fields the change touched.

    ``prices``: None when its prices did not change. ``cancel_at_period_end``: None when
    unchanged. ``cancel_at``: meaningful only when ``cancel_at_changed``.
    """

    prices: tuple[PriceNaming, ...] | None = None
    cancel_at_period_end: bool | None = None
    cancel_at_changed: bool = False
    cancel_at: datetime | None = None
    # The change attached a schedule (a plan change that takes effect at period end).
    schedule_attached: bool = False


@dataclass(frozen=True, slots=True)
class SubscriptionChanged:
    envelope: EventEnvelope
    moment: SubscriptionMoment
    subscription: MirroredSubscription
    before: SubscriptionBefore = field(default_factory=SubscriptionBefore)
    trial_end: datetime | None = None


class InvoiceMoment(StrEnum):
    CREATED = "created"
    FINALIZED = "finalized"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_ACTION_REQUIRED = "payment_action_required"
    VOIDED = "voided"
    MARKED_UNCOLLECTIBLE = "marked_uncollectible"


@dataclass(frozen=True, slots=True)
class InvoiceChanged:
    envelope: EventEnvelope
    moment: InvoiceMoment
    invoice: MirroredInvoice
    customer_email: str | None = None  # the address the invoice was sent to, if any


class PaymentMethodMoment(StrEnum):
    ATTACHED = "attached"
    DETACHED = "detached"
    UPDATED = "updated"
    AUTOMATICALLY_UPDATED = "automatically_updated"


@dataclass(frozen=True, slots=True)
class PaymentMethodChanged:
    envelope: EventEnvelope
    moment: PaymentMethodMoment
    payment_method: MirroredPaymentMethod


@dataclass(frozen=True, slots=True)
class ProductChanged:
    envelope: EventEnvelope
    change: Change
    product: MirroredProduct


@dataclass(frozen=True, slots=True)
class TaxIdChanged:
    """One of a customer's tax ids was added, changed or removed."""

    envelope: EventEnvelope
    change: Change
    customer_id: str
    tax_id: TaxId


@dataclass(frozen=True, slots=True)
class PortalConfigurationChanged:
    envelope: EventEnvelope
    configuration_id: str
    metadata: Mapping[str, str]
    # Fields this change edited, other than bookkeeping (timestamps, metadata, flags).
    edited_fields: frozenset[str] = frozenset()
    metadata_changed: bool = False


@dataclass(frozen=True, slots=True)
class PortalSessionCreated:
    envelope: EventEnvelope
    session_id: str
    customer_id: str | None
    configuration_id: str | None


@dataclass(frozen=True, slots=True)
class CheckoutCompleted:
    """A checkout finished; ``client_reference_id`` is what the app passed when it created
    the session (the app's user id, when the app follows the linking convention)."""

    envelope: EventEnvelope
    session_id: str
    customer_id: str | None
    client_reference_id: str | None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnhandledEvent:
    """A type this service does not act on; kept in the inbox, marked ignored."""

    envelope: EventEnvelope


BillingEvent = (
    CustomerChanged
    | SubscriptionChanged
    | InvoiceChanged
    | PaymentMethodChanged
    | ProductChanged
    | TaxIdChanged
    | PortalConfigurationChanged
    | PortalSessionCreated
    | CheckoutCompleted
    | UnhandledEvent
)
