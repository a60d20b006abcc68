"""The v1 API's route table: (method, path pattern) -> store operation.

Handlers get the store, the decoded parameters, the request's :class:`RequestInfo` and the
path's ids, and return a Stripe object or list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..ledger import RequestInfo
from ..listing import paginate
from ..params import Params
from ..store import SandboxStore

Handler = Callable[..., dict[str, Any]]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    compiled = re.compile("^" + pattern.replace("{id}", "([^/]+)") + "$")

    def register(handler: Handler) -> Handler:
        ROUTES.append((method, compiled, handler))
        return handler

    return register


def find(method: str, path: str) -> tuple[Handler, tuple[str, ...]] | None:
    """The handler and path ids for a request, or None (Stripe's "Unrecognized request URL")."""
    for route_method, pattern, handler in ROUTES:
        match = pattern.match(path)
        if match and route_method == method:
            return handler, match.groups()
    return None


S = SandboxStore
P = Params
R = RequestInfo


def _crud(base: str, kind: str, name: str, *, delete: bool = True, update: bool = True) -> None:
    """Register create/list/retrieve(/update/delete) for a simple resource."""
    route("POST", base)(lambda s, p, r: getattr(s, f"create_{name}")(p, r))
    route("GET", base)(lambda s, p, r: getattr(s, f"list_{name}s")(p))
    route("GET", base + "/{id}")(lambda s, p, r, i: s.retrieve(kind, i, p))
    if update:
        route("POST", base + "/{id}")(lambda s, p, r, i: getattr(s, f"update_{name}")(i, p, r))
    if delete:
        route("DELETE", base + "/{id}")(lambda s, p, r, i: getattr(s, f"delete_{name}")(i, r))


_crud("/v1/customers", "customer", "customer")
_crud("/v1/products", "product", "product")
_crud("/v1/prices", "price", "price", delete=False)
_crud("/v1/payment_methods", "payment_method", "payment_method", delete=False)
_crud("/v1/subscriptions", "subscription", "subscription", delete=False)
_crud(
    "/v1/billing_portal/configurations",
    "billing_portal.configuration",
    "portal_configuration",
    delete=False,
)
_crud("/v1/webhook_endpoints", "webhook_endpoint", "webhook_endpoint")
_crud(
    "/v1/subscription_schedules",
    "subscription_schedule",
    "subscription_schedule",
    delete=False,
)


@route("POST", "/v1/subscription_schedules/{id}/release")
def _release(s: S, p: P, r: R, schedule_id: str) -> dict[str, Any]:
    return s.release_subscription_schedule(schedule_id, p, r)


@route("POST", "/v1/customers/{id}/tax_ids")
def _create_tax_id(s: S, p: P, r: R, customer_id: str) -> dict[str, Any]:
    return s.create_tax_id(customer_id, p, r)


@route("GET", "/v1/customers/{id}/tax_ids")
def _tax_ids(s: S, p: P, r: R, customer_id: str) -> dict[str, Any]:
    return s.list_tax_ids(customer_id, p)


@route("GET", "/v1/customers/{id}/tax_ids/{id}")
def _tax_id(s: S, p: P, r: R, customer_id: str, tax_id: str) -> dict[str, Any]:
    return s.retrieve_tax_id(customer_id, tax_id, p)


@route("DELETE", "/v1/customers/{id}/tax_ids/{id}")
def _delete_tax_id(s: S, p: P, r: R, customer_id: str, tax_id: str) -> dict[str, Any]:
    return s.delete_tax_id(customer_id, tax_id, r)


@route("GET", "/v1/customers/{id}/payment_methods")
def _customer_payment_methods(s: S, p: P, r: R, customer_id: str) -> dict[str, Any]:
    return s.list_customer_payment_methods(customer_id, p)


@route("POST", "/v1/payment_methods/{id}/attach")
def _attach(s: S, p: P, r: R, pm_id: str) -> dict[str, Any]:
    return s.attach_payment_method(pm_id, p, r)


@route("POST", "/v1/payment_methods/{id}/detach")
def _detach(s: S, p: P, r: R, pm_id: str) -> dict[str, Any]:
    return s.detach_payment_method(pm_id, r)


@route("DELETE", "/v1/subscriptions/{id}")
def _cancel(s: S, p: P, r: R, sub_id: str) -> dict[str, Any]:
    return s.cancel_subscription(sub_id, p, r)


@route("GET", "/v1/invoices")
def _invoices(s: S, p: P, r: R) -> dict[str, Any]:
    return s.list_invoices(p)


@route("GET", "/v1/invoices/{id}")
def _invoice(s: S, p: P, r: R, invoice_id: str) -> dict[str, Any]:
    return s.retrieve("invoice", invoice_id, p)


@route("GET", "/v1/invoices/{id}/lines")
def _invoice_lines(s: S, p: P, r: R, invoice_id: str) -> dict[str, Any]:
    lines = s.retrieve("invoice", invoice_id)["lines"]["data"]
    return paginate(lines, p, f"/v1/invoices/{invoice_id}/lines", presorted=True)


@route("POST", "/v1/invoices/{id}/pay")
def _pay(s: S, p: P, r: R, invoice_id: str) -> dict[str, Any]:
    return s.pay_invoice(invoice_id, p, r)


@route("POST", "/v1/billing_portal/sessions")
def _portal_session(s: S, p: P, r: R) -> dict[str, Any]:
    return s.create_portal_session(p, r)


@route("GET", "/v1/events")
def _events(s: S, p: P, r: R) -> dict[str, Any]:
    return s.list_events(p)


@route("GET", "/v1/events/{id}")
def _event(s: S, p: P, r: R, event_id: str) -> dict[str, Any]:
    return s.retrieve("event", event_id, p)
