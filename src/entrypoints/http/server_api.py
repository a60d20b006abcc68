"""``/api/server``: the host app's servers link users and read their billing status.

The link routes live here; the billing status route in ``server_billing``."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, Router, delete, post, put
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath, JSONBody

from application.customers.change_segment import ChangeSegment, ChangeSegmentRequest
from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from application.customers.relink_customer import RelinkCustomer, RelinkCustomerRequest
from application.customers.unlink_customer import UnlinkCustomer, UnlinkCustomerRequest
from domain.api_key import ApiKey
from domain.customer import Customer
from entrypoints.http.server_auth import (
    SECURITY_SCHEME,
    ApiKeyAuthenticationMiddleware,
    actor_of,
)
from entrypoints.http.server_billing import UNAUTHENTICATED, billing_status, problem
from entrypoints.http.server_schemas import LinkBody, LinkView, RelinkBody, SegmentBody

ServerRequest = Request[None, ApiKey, Any]
_SECURITY: list[dict[str, list[str]]] = [{SECURITY_SCHEME: []}]


_NOT_LINKED = {404: problem("The user has no customer link")}
_CONFLICT = {409: problem("The customer belongs to another user, or the user is linked elsewhere")}
_INVALID = {422: problem("Malformed id, unknown segment or invalid body; `field` names it")}


def _view(customer: Customer) -> LinkView:
    return LinkView(customer.user_id, customer.stripe_customer_id, customer.segment, customer.email)


@post(
    "/links",
    summary="Link a user to a Stripe customer",
    description=(
        "Idempotent for the same customer (a changed segment is applied). A user already "
        "linked to another customer is refused with 409: relink instead."
    ),
    status_code=200,
    responses={**UNAUTHENTICATED, **_CONFLICT, **_INVALID},
)
@inject
async def link_user(
    request: ServerRequest, data: JSONBody[LinkBody], link: FromDishka[LinkCustomer]
) -> LinkView:
    linked = await link.execute(
        LinkCustomerRequest(
            user_id=data.user_id,
            stripe_customer_id=data.customer_id,
            segment=data.segment,
            email=data.email,
            actor=actor_of(request.auth),
            replace_existing=False,
        )
    )
    return _view(linked)


@put(
    "/users/{user_id:str}/link",
    summary="Relink a user to another Stripe customer",
    responses={**UNAUTHENTICATED, **_NOT_LINKED, **_CONFLICT, **_INVALID},
)
@inject
async def relink_user(
    request: ServerRequest,
    user_id: FromPath[str],
    data: JSONBody[RelinkBody],
    relink: FromDishka[RelinkCustomer],
) -> LinkView:
    relinked = await relink.execute(
        RelinkCustomerRequest(
            user_id, data.customer_id, actor_of(request.auth), data.segment, data.email
        )
    )
    return _view(relinked)


@delete(
    "/users/{user_id:str}/link",
    summary="Unlink a user from their Stripe customer",
    description="The Stripe customer and its mirrored records stay; only the link goes.",
    responses={**UNAUTHENTICATED, **_NOT_LINKED},
)
@inject
async def unlink_user(
    request: ServerRequest, user_id: FromPath[str], unlink: FromDishka[UnlinkCustomer]
) -> None:
    await unlink.execute(UnlinkCustomerRequest(user_id, actor_of(request.auth)))


@put(
    "/users/{user_id:str}/segment",
    summary="Change a linked user's segment",
    responses={**UNAUTHENTICATED, **_NOT_LINKED, **_INVALID},
)
@inject
async def change_segment(
    request: ServerRequest,
    user_id: FromPath[str],
    data: JSONBody[SegmentBody],
    change: FromDishka[ChangeSegment],
) -> LinkView:
    changed = await change.execute(
        ChangeSegmentRequest(user_id, data.segment, actor_of(request.auth))
    )
    return _view(changed)


def server_router() -> Router:
    """The routes with their own guard: a server API key (``billing-portal api-keys``)."""
    return Router(
        "/api/server",
        route_handlers=[link_user, relink_user, unlink_user, change_segment, billing_status],
        middleware=[DefineMiddleware(ApiKeyAuthenticationMiddleware)],
        security=_SECURITY,
        tags=["server-to-server"],
    )
