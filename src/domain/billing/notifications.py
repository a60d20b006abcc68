"""Which change sends which email, with which facts (pure).

Each rule reads a typed event (and what the mirror held before it) and returns the emails
it calls for. An email's ``key`` makes it exactly-once: the outbox keeps one message per
key, so a redelivered or replayed event never queues twice. By default the key is the
event and template; a fact that two events report (a new default card) has its own key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.billing.customer import MirroredCustomer
from domain.billing.events import (
    CustomerChanged,
    EventEnvelope,
    InvoiceChanged,
    InvoiceMoment,
    PaymentMethodChanged,
    PaymentMethodMoment,
    SubscriptionBefore,
    SubscriptionChanged,
    SubscriptionMoment,
)
from domain.billing.money import format_amount
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import NO_NAMES, MirroredSubscription

PAYMENT_METHOD_UPDATE_FLOW = "payment_method_update"  # the billing page's deep-link value


class EmailTemplate(StrEnum):
    PLAN_CHANGED = "plan_changed"
    CANCELLATION_SCHEDULED = "cancellation_scheduled"
    CANCELLATION_UNDONE = "cancellation_undone"
    SUBSCRIPTION_ENDED = "subscription_ended"
    TRIAL_ENDING = "trial_ending"
    PAYMENT_METHOD_UPDATED = "payment_method_updated"
    PAYMENT_FAILED = "payment_failed"


@dataclass(frozen=True, slots=True)
class Email:
    """One message for the customer: the template, the facts it shows, and its once-key.
    ``address`` is set when the event itself named where to send it."""

    template: EmailTemplate
    customer_id: str | None
    facts: Mapping[str, object]
    key: str
    address: str | None = None


def _email(
    envelope: EventEnvelope,
    template: EmailTemplate,
    customer_id: str | None,
    facts: Mapping[str, object],
    address: str | None = None,
) -> Email:
    return Email(template, customer_id, facts, f"{envelope.id}:{template}", address)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def subscription_emails(
    event: SubscriptionChanged,
    before: MirroredSubscription | None,
    product_names: Mapping[str, str] = NO_NAMES,
) -> list[Email]:
    """Ended; trial ending; and for an update: plan changed (now or at period end),
    cancellation scheduled, cancellation undone. The facts describe what this event
    reports, even when the mirror already holds a newer state."""
    sub = event.subscription
    plan = sub.plan_label(product_names)
    found: list[tuple[EmailTemplate, dict[str, object]]] = []
    if event.moment is SubscriptionMoment.DELETED:
        ended = sub.subscription.ended_at or event.envelope.version.at
        found.append((EmailTemplate.SUBSCRIPTION_ENDED, {"ended_at": ended.isoformat()}))
    elif event.moment is SubscriptionMoment.TRIAL_WILL_END and event.trial_end is not None:
        found.append((EmailTemplate.TRIAL_ENDING, {"trial_end": event.trial_end.isoformat()}))
    elif event.moment is SubscriptionMoment.UPDATED:
        change = _plan_change(event, before, product_names)
        if change is not None:
            found.append((EmailTemplate.PLAN_CHANGED, change))
        if _cancellation_scheduled(event.before, sub):
            until = sub.subscription.cancel_at or sub.subscription.period_end
            details = sub.cancellation
            reason = details.comment or details.feedback or details.reason
            facts: dict[str, object] = {"access_until": _iso(until), "reason": reason}
            found.append((EmailTemplate.CANCELLATION_SCHEDULED, facts))
        if _cancellation_undone(event.before, sub):
            renews: dict[str, object] = {"renews_at": _iso(sub.subscription.period_end)}
            found.append((EmailTemplate.CANCELLATION_UNDONE, renews))
    return [
        _email(event.envelope, template, sub.customer_id, {"plan": plan, **facts})
        for template, facts in found
    ]


def _plan_change(
    event: SubscriptionChanged,
    before: MirroredSubscription | None,
    product_names: Mapping[str, str],
) -> dict[str, object] | None:
    sub, previous = event.subscription, event.before
    if previous.prices is not None:
        old_prices = {p.price_id for p in previous.prices}
        if old_prices != set(sub.subscription.price_ids()):
            names = [
                p.name(product_names)
                or (before.plan_name(p.price_id, product_names) if before else None)
                or p.price_id
                for p in previous.prices
            ]
            return {
                "from_plan": " + ".join(names) or None,
                "to_plan": sub.plan_label(product_names),
                "effective": "immediately",
                "effective_at": event.envelope.version.at.isoformat(),
            }
    if previous.schedule_attached:
        # A change at period end: a schedule was attached; the price has not moved yet.
        return {
            "from_plan": sub.plan_label(product_names),
            "to_plan": None,
            "effective": "period_end",
            "effective_at": _iso(sub.subscription.period_end),
        }
    return None


def _cancellation_scheduled(previous: SubscriptionBefore, sub: MirroredSubscription) -> bool:
    state = sub.subscription
    flipped = previous.cancel_at_period_end is False and state.cancel_at_period_end
    dated = previous.cancel_at_changed and previous.cancel_at is None
    return flipped or (dated and state.cancel_at is not None)


def _cancellation_undone(previous: SubscriptionBefore, sub: MirroredSubscription) -> bool:
    """The customer renewed: the scheduled end (at period end, or on a date) is gone."""
    state = sub.subscription
    if state.is_ended or state.cancel_at_period_end or state.cancel_at is not None:
        return False
    was_dated = previous.cancel_at_changed and previous.cancel_at is not None
    return previous.cancel_at_period_end is True or was_dated


def invoice_emails(event: InvoiceChanged, *, billing_page_url: str) -> list[Email]:
    """A failed payment: how much, which invoice, where to pay it, and a link that opens
    the billing page straight into the payment-method flow."""
    if event.moment is not InvoiceMoment.PAYMENT_FAILED:
        return []
    invoice = event.invoice
    facts = {
        "amount": format_amount(invoice.amount_due, invoice.currency),
        "invoice_number": invoice.number,
        "hosted_invoice_url": invoice.hosted_invoice_url,
        "update_url": f"{billing_page_url}?flow={PAYMENT_METHOD_UPDATE_FLOW}",
    }
    return [
        _email(
            event.envelope,
            EmailTemplate.PAYMENT_FAILED,
            invoice.customer_id,
            facts,
            address=event.customer_email,
        )
    ]


def new_default_card(event: CustomerChanged) -> str | None:
    """The payment method this customer update made the default, if it made one."""
    new = event.customer.default_payment_method_id
    if not event.default_payment_method_changed or not new:
        return None
    return new if new != event.previous_default_payment_method_id else None


def attached_default_card(
    event: PaymentMethodChanged, customer: MirroredCustomer | None
) -> str | None:
    """The attached payment method, when the customer already names it as the default
    (Stripe may tell the new default before it tells the attachment)."""
    method = event.payment_method
    if event.moment is not PaymentMethodMoment.ATTACHED or not method.customer_id:
        return None
    if customer is None or customer.default_payment_method_id != method.id:
        return None
    return method.id


def card_updated_email(customer_id: str, method: MirroredPaymentMethod) -> Email:
    """Once per card that becomes the default, whichever event told it."""
    template = EmailTemplate.PAYMENT_METHOD_UPDATED
    facts = {
        "payment_method": method.label,
        "brand": method.brand,
        "last4": method.last4,
        "exp_month": method.exp_month,
        "exp_year": method.exp_year,
    }
    return Email(template, customer_id, facts, f"{customer_id}:{method.id}:{template}")
