"""The sandbox's public operations: what the API, the hosted pages, the CLI and tests call.

Every method takes Stripe's parameters (the decoded form: ``{"items": [{"price": ...}]}``,
``"expand": [...]``) and returns the rendered Stripe object or list, emitting the events
Stripe would. Errors are :class:`~stripe_sandbox.errors.SandboxError` subclasses.
"""

from __future__ import annotations

from typing import Any

from . import (
    billing,
    cancellations,
    catalog,
    customers,
    events,
    invoice_payments,
    lifecycle,
    payment_methods,
    portal_configurations,
    portal_sessions,
    subscription_schedules,
    subscription_updates,
    subscriptions,
    tax_ids,
    webhook_endpoints,
)
from .errors import ResourceMissing
from .ledger import Ledger, RequestInfo
from .listing import paginate
from .params import Params
from .store_core import StoreCore

Obj = dict[str, Any]
CONFIGS = "billing_portal.configuration"


class SandboxStore(StoreCore):
    """Stripe's resources, emulated. ``request`` tags emitted events with the API request."""

    # customers
    def create_customer(self, params: Params, request: RequestInfo | None = None) -> Obj:
        return self.run(customers.create, params=params, request=request)

    def update_customer(
        self, customer_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(customers.update, customer_id, params=params, request=request)

    def delete_customer(self, customer_id: str, request: RequestInfo | None = None) -> Obj:
        return self.run(customers.delete, customer_id, request=request)

    def list_customers(self, params: Params) -> Obj:
        return self.list_objects(
            "customer", params, "/v1/customers", customers.search_filter(params)
        )

    # products and prices
    def create_product(self, params: Params, request: RequestInfo | None = None) -> Obj:
        return self.run(catalog.create_product, params=params, request=request)

    def update_product(
        self, product_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(catalog.update_product, product_id, params=params, request=request)

    def delete_product(self, product_id: str, request: RequestInfo | None = None) -> Obj:
        return self.run(catalog.delete_product, product_id, request=request)

    def list_products(self, params: Params) -> Obj:
        return self.list_objects("product", params, "/v1/products", catalog.product_filter(params))

    def create_price(self, params: Params, request: RequestInfo | None = None) -> Obj:
        return self.run(catalog.create_price, params=params, request=request)

    def update_price(
        self, price_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(catalog.update_price, price_id, params=params, request=request)

    def list_prices(self, params: Params) -> Obj:
        return self.list_objects("price", params, "/v1/prices", catalog.price_filter(params))

    # payment methods
    def create_payment_method(self, params: Params, request: RequestInfo | None = None) -> Obj:
        return self.run(payment_methods.create, params=params, request=request)

    def update_payment_method(
        self, pm_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(payment_methods.update, pm_id, params=params, request=request)

    def attach_payment_method(
        self, pm_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(payment_methods.attach, pm_id, params=params, request=request)

    def detach_payment_method(self, pm_id: str, request: RequestInfo | None = None) -> Obj:
        return self.run(payment_methods.detach, pm_id, request=request)

    def list_payment_methods(self, params: Params) -> Obj:
        predicate = payment_methods.list_filter(params)
        if isinstance(params.get("customer"), str):
            self._require_customer(params["customer"])
        return self.list_objects("payment_method", params, "/v1/payment_methods", predicate)

    def list_customer_payment_methods(self, customer_id: str, params: Params) -> Obj:
        """``GET /v1/customers/{id}/payment_methods``: 404 for a customer Stripe does not
        know, checked in the same read as the list (one catch-up of the clock, not three)."""
        predicate = payment_methods.list_filter({**params, "customer": customer_id})

        def page(ledger: Ledger) -> Obj:
            ledger.get("customer", customer_id)
            owned = self.derived("payment methods by customer", payment_methods.by_customer)
            found = [o for o in owned.get(customer_id, ()) if predicate(o)]
            return paginate(found, params, "/v1/payment_methods")

        return self.read(page, params)

    # subscriptions
    def create_subscription(self, params: Params, request: RequestInfo | None = None) -> Obj:
        return self.run(subscriptions.create, params=params, request=request)

    def update_subscription(
        self, sub_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(subscription_updates.update, sub_id, params=params, request=request)

    def cancel_subscription(
        self, sub_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(cancellations.cancel, sub_id, params=params, request=request)

    def list_subscriptions(self, params: Params) -> Obj:
        predicate = subscriptions.list_filter(params)
        if isinstance(params.get("customer"), str):
            self._require_customer(params["customer"])
        return self.list_objects("subscription", params, "/v1/subscriptions", predicate)

    # subscription schedules
    def create_subscription_schedule(
        self, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(subscription_schedules.create, params=params, request=request)

    def update_subscription_schedule(
        self, schedule_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(subscription_schedules.update, schedule_id, params=params, request=request)

    def release_subscription_schedule(
        self, schedule_id: str, params: Params | None = None, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(
            subscription_schedules.release, schedule_id, params=params or {}, request=request
        )

    def list_subscription_schedules(self, params: Params) -> Obj:
        predicate = subscription_schedules.list_filter(params)
        return self.list_objects(
            "subscription_schedule", params, "/v1/subscription_schedules", predicate
        )

    # customer tax ids
    def create_tax_id(
        self, customer_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(tax_ids.create, customer_id, params=params, request=request)

    def delete_tax_id(
        self, customer_id: str, tax_id: str, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(tax_ids.delete, customer_id, tax_id, request=request)

    def retrieve_tax_id(self, customer_id: str, tax_id: str, params: Params) -> Obj:
        return self.read(lambda ledger: tax_ids.find(ledger, customer_id, tax_id), params)

    def _require_customer(self, customer_id: str) -> None:
        """A list filtered by a customer Stripe does not know fails, as on Stripe."""
        try:
            self.retrieve("customer", customer_id)
        except ResourceMissing as error:
            raise ResourceMissing("customer", customer_id, param="customer") from error

    def list_tax_ids(self, customer_id: str, params: Params) -> Obj:
        self.retrieve("customer", customer_id)
        url = f"/v1/customers/{customer_id}/tax_ids"
        return self.list_objects("tax_id", params, url, lambda t: t["customer"] == customer_id)

    # invoices
    def pay_invoice(
        self, invoice_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(lifecycle.pay, invoice_id, params=params, request=request)

    def list_invoices(self, params: Params) -> Obj:
        return self.list_objects("invoice", params, "/v1/invoices", billing.invoice_filter(params))

    def hosted_invoice(self, invoice_id: str) -> tuple[Obj, str] | None:
        """A finalized invoice and its pay-form token (None for drafts and unknown ids)."""
        # Saved only the first time, when the form key is made (the state is loaded first).
        with (
            self.exclusive(),
            self.transaction(writes=not self.live_state().page_secret) as ledger,
        ):
            invoice = ledger.state.table("invoice").get(invoice_id)
            if invoice is None or invoice["status"] == "draft":
                return None
            return ledger.render(invoice), invoice_payments.page_token(ledger, invoice_id)

    def pay_invoice_with_card(self, invoice_id: str, token: object, card: Params) -> Obj:
        """The hosted invoice page's payment (:func:`invoice_payments.pay_with_card`), once
        its form token is checked (:class:`invoice_payments.FormExpired` otherwise)."""
        with self.transaction() as ledger:
            invoice_payments.check_token(ledger, invoice_id, token)
            return ledger.render(invoice_payments.pay_with_card(ledger, invoice_id, card))

    def retry_open_invoices(self, customer_id: str, pm_id: str) -> list[Obj]:
        """The portal's payment of past-due invoices with a new default card."""
        with self.transaction() as ledger:
            attempted = invoice_payments.retry_open_invoices(ledger, customer_id, pm_id)
            return [ledger.render(invoice) for invoice in attempted]

    # billing portal
    def create_portal_configuration(
        self, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(portal_configurations.create, params=params, request=request)

    def update_portal_configuration(
        self, config_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(portal_configurations.update, config_id, params=params, request=request)

    def list_portal_configurations(self, params: Params) -> Obj:
        predicate = portal_configurations.list_filter(params)
        return self.list_objects(CONFIGS, params, "/v1/billing_portal/configurations", predicate)

    def create_portal_session(self, params: Params, request: RequestInfo | None = None) -> Obj:
        return self.run(portal_sessions.create, params=params, request=request)

    def open_portal_session(self, secret: str) -> Obj | None:
        """The session behind a hosted-portal URL secret, or None if unknown or expired."""
        with self.transaction() as ledger:
            session = portal_sessions.open_by_secret(ledger, secret)
            return ledger.render(session) if session is not None else None

    # events and webhook endpoints
    def list_events(self, params: Params) -> Obj:
        return self.read(lambda ledger: _page_of_events(ledger.state, params), params)

    def create_webhook_endpoint(self, params: Params, request: RequestInfo | None = None) -> Obj:
        return self.run(webhook_endpoints.create, params=params, request=request)

    def update_webhook_endpoint(
        self, endpoint_id: str, params: Params, request: RequestInfo | None = None
    ) -> Obj:
        return self.run(webhook_endpoints.update, endpoint_id, params=params, request=request)

    def delete_webhook_endpoint(self, endpoint_id: str, request: RequestInfo | None = None) -> Obj:
        return self.run(webhook_endpoints.delete, endpoint_id, request=request)

    def list_webhook_endpoints(self, params: Params) -> Obj:
        return self.list_objects("webhook_endpoint", params, "/v1/webhook_endpoints")

    def sync_configured_endpoints(self, endpoints: list[tuple[str, str]]) -> None:
        """Make the settings' (url, secret) endpoints the configured ones."""
        with self.transaction() as ledger:
            webhook_endpoints.sync_configured(ledger, endpoints)


def _page_of_events(state: Any, params: Params) -> Obj:
    from .listing import paginate

    return paginate(events.filter_events(state, params), params, "/v1/events")
