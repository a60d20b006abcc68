"""The sync's event handlers, registered by the typed event each one handles.

To act on a new kind of event: a typed event in ``domain/billing/events.py``, its
translation in ``adapters/stripe/events.py``, a handler in ``application/sync/handlers/``,
and one line in ``registry`` below.
"""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.stripe.events import StripeEventTranslator
from application.ports.billing_event_translator import BillingEventTranslator
from application.sync.auto_link import AutoLink
from application.sync.default_card import DefaultCardNotice
from application.sync.handlers.checkout import CheckoutEventHandler
from application.sync.handlers.customers import CustomerEventHandler
from application.sync.handlers.invoices import InvoiceEventHandler
from application.sync.handlers.payment_methods import PaymentMethodEventHandler
from application.sync.handlers.portal import (
    PortalConfigurationEventHandler,
    PortalSessionEventHandler,
)
from application.sync.handlers.products import ProductEventHandler
from application.sync.handlers.registry import EventHandlers
from application.sync.handlers.subscriptions import SubscriptionEventHandler
from application.sync.handlers.tax_ids import TaxIdEventHandler
from application.sync.notifier import Notifier
from application.sync.product_names import ProductNames
from application.sync.provider_reads import ProviderReads
from domain.billing.events import (
    CheckoutCompleted,
    CustomerChanged,
    InvoiceChanged,
    PaymentMethodChanged,
    PortalConfigurationChanged,
    PortalSessionCreated,
    ProductChanged,
    SubscriptionChanged,
    TaxIdChanged,
)


class EventTranslationProvider(Provider):
    scope = Scope.APP

    translator = provide(StripeEventTranslator, provides=BillingEventTranslator)


class EventHandlerProvider(Provider):
    """Request scope: the handlers share the unit of work's repositories."""

    scope = Scope.REQUEST

    notifier = provide(Notifier)
    provider_reads = provide(ProviderReads)
    default_card = provide(DefaultCardNotice)
    product_names = provide(ProductNames)
    auto_link = provide(AutoLink)
    customers = provide(CustomerEventHandler)
    subscriptions = provide(SubscriptionEventHandler)
    invoices = provide(InvoiceEventHandler)
    payment_methods = provide(PaymentMethodEventHandler)
    products = provide(ProductEventHandler)
    tax_ids = provide(TaxIdEventHandler)
    portal_configurations = provide(PortalConfigurationEventHandler)
    portal_sessions = provide(PortalSessionEventHandler)
    checkouts = provide(CheckoutEventHandler)

    @provide
    def registry(
        self,
        customers: CustomerEventHandler,
        subscriptions: SubscriptionEventHandler,
        invoices: InvoiceEventHandler,
        payment_methods: PaymentMethodEventHandler,
        products: ProductEventHandler,
        tax_ids: TaxIdEventHandler,
        portal_configurations: PortalConfigurationEventHandler,
        portal_sessions: PortalSessionEventHandler,
        checkouts: CheckoutEventHandler,
    ) -> EventHandlers:
        return EventHandlers(
            {
                CustomerChanged: customers,
                SubscriptionChanged: subscriptions,
                InvoiceChanged: invoices,
                PaymentMethodChanged: payment_methods,
                ProductChanged: products,
                TaxIdChanged: tax_ids,
                PortalConfigurationChanged: portal_configurations,
                PortalSessionCreated: portal_sessions,
                CheckoutCompleted: checkouts,
            }
        )
