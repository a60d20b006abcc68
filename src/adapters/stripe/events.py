"""Stripe's event JSON as the application's typed events (``BillingEventTranslator``).

Stripe's envelope is ``{"id", "type", "created", "livemode", "data": {"object",
"previous_attributes"}}``; ``previous_attributes`` holds the old values of the fields an
update changed (a key present with ``null`` means the field was empty before).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from adapters.stripe import objects
from adapters.stripe.json_fields import Json, entries, moment, reference, section, text
from application.errors import InvalidEvent
from application.ports.billing_event_translator import BillingEventTranslator
from domain.billing.events import (
    BillingEvent,
    Change,
    CheckoutCompleted,
    CustomerChanged,
    EventEnvelope,
    InvoiceChanged,
    InvoiceMoment,
    PaymentMethodChanged,
    PaymentMethodMoment,
    PortalConfigurationChanged,
    PortalSessionCreated,
    ProductChanged,
    SubscriptionBefore,
    SubscriptionChanged,
    SubscriptionMoment,
    TaxIdChanged,
    UnhandledEvent,
)
from domain.billing.version import SourceVersion

# Fields of a portal configuration that change without anyone editing it.
_CONFIGURATION_BOOKKEEPING = frozenset({"updated", "metadata", "active", "is_default"})

Translate = Callable[[EventEnvelope, Json, Json], BillingEvent]


def _customer(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    change = Change(envelope.type.removeprefix("customer."))
    settings_before = section(previous, "invoice_settings")
    return CustomerChanged(
        envelope,
        change,
        objects.customer(obj, envelope.version),
        default_payment_method_changed="default_payment_method" in settings_before,
        previous_default_payment_method_id=reference(settings_before, "default_payment_method"),
    )


def _subscription_before(obj: Json, previous: Json) -> SubscriptionBefore:
    old_items = entries(previous, "items") if "items" in previous else None
    cancel_at_period_end = previous.get("cancel_at_period_end")
    return SubscriptionBefore(
        prices=None if old_items is None else tuple(objects.price_naming(i) for i in old_items),
        cancel_at_period_end=cancel_at_period_end
        if isinstance(cancel_at_period_end, bool)
        else None,
        cancel_at_changed="cancel_at" in previous,
        cancel_at=moment(previous, "cancel_at"),
        schedule_attached="schedule" in previous
        and previous.get("schedule") is None
        and reference(obj, "schedule") is not None,
    )


def _subscription(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    return SubscriptionChanged(
        envelope,
        SubscriptionMoment(envelope.type.removeprefix("customer.subscription.")),
        objects.subscription(obj, envelope.version),
        _subscription_before(obj, previous),
        trial_end=moment(obj, "trial_end"),
    )


def _invoice(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    return InvoiceChanged(
        envelope,
        InvoiceMoment(envelope.type.removeprefix("invoice.")),
        objects.invoice(obj, envelope.version),
        customer_email=text(obj, "customer_email"),
    )


def _payment_method(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    return PaymentMethodChanged(
        envelope,
        PaymentMethodMoment(envelope.type.removeprefix("payment_method.")),
        objects.payment_method(obj, envelope.version),
    )


def _product(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    change = Change(envelope.type.removeprefix("product."))
    return ProductChanged(envelope, change, objects.product(obj, envelope.version))


def _tax_id(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    customer_id = reference(obj, "customer")
    if customer_id is None:
        raise InvalidEvent("the tax id object names no customer")
    change = Change(envelope.type.removeprefix("customer.tax_id."))
    return TaxIdChanged(envelope, change, customer_id, objects.tax_id(obj))


def _portal_configuration(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    return PortalConfigurationChanged(
        envelope,
        configuration_id=objects.object_id(obj, "portal configuration"),
        metadata=objects.metadata(obj),
        edited_fields=frozenset(previous) - _CONFIGURATION_BOOKKEEPING,
        metadata_changed="metadata" in previous,
    )


def _portal_session(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    return PortalSessionCreated(
        envelope,
        session_id=objects.object_id(obj, "portal session"),
        customer_id=reference(obj, "customer"),
        configuration_id=reference(obj, "configuration"),
    )


def _checkout_session(envelope: EventEnvelope, obj: Json, previous: Json) -> BillingEvent:
    return CheckoutCompleted(
        envelope,
        session_id=objects.object_id(obj, "checkout session"),
        customer_id=reference(obj, "customer"),
        client_reference_id=text(obj, "client_reference_id"),
        metadata=objects.metadata(obj),
    )


def _types(prefix: str, kinds: tuple[str, ...], translate: Translate) -> dict[str, Translate]:
    return {f"{prefix}{kind}": translate for kind in kinds}


_CHANGES = tuple(c.value for c in Change)
TRANSLATIONS: Mapping[str, Translate] = {
    **_types("customer.", _CHANGES, _customer),
    **_types("customer.subscription.", tuple(m.value for m in SubscriptionMoment), _subscription),
    **_types("invoice.", tuple(m.value for m in InvoiceMoment), _invoice),
    **_types("payment_method.", tuple(m.value for m in PaymentMethodMoment), _payment_method),
    **_types("product.", _CHANGES, _product),
    **_types("customer.tax_id.", _CHANGES, _tax_id),
    **_types("billing_portal.configuration.", ("created", "updated"), _portal_configuration),
    "billing_portal.session.created": _portal_session,
    "checkout.session.completed": _checkout_session,
}
# The event types to subscribe the webhook endpoint to (docs/DEPLOYMENT.md).
HANDLED_EVENT_TYPES = tuple(sorted(TRANSLATIONS))


class StripeEventTranslator(BillingEventTranslator):
    def envelope(self, payload: Mapping[str, object]) -> EventEnvelope:
        event_id, event_type = text(payload, "id"), text(payload, "type")
        created = moment(payload, "created")
        livemode = payload.get("livemode")
        if event_id is None or event_type is None or created is None:
            raise InvalidEvent("an event needs an id, a type and a created time")
        if not isinstance(livemode, bool):
            raise InvalidEvent("an event says whether it is live (livemode true or false)")
        version = SourceVersion(at=created, event_id=event_id)
        return EventEnvelope(event_id, event_type, version, livemode)

    def translate(self, payload: Mapping[str, object]) -> BillingEvent:
        envelope = self.envelope(payload)
        translate = TRANSLATIONS.get(envelope.type)
        if translate is None:
            return UnhandledEvent(envelope)
        data = section(payload, "data")
        return translate(envelope, section(data, "object"), section(data, "previous_attributes"))
