"""``GET /api/server/users/{user_id}/billing``: plan, status and entitlements, from the mirror."""

from __future__ import annotations

from typing import Annotated

from dishka.integrations.litestar import FromDishka, inject
from litestar import get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, Parameter

from application.customers.read_billing_status import BillingStatus, ReadBillingStatus
from entrypoints.http.server_schemas import BillingStatusBody, ServerSubscription


def problem(description: str) -> ResponseSpec:
    return ResponseSpec(None, description=description, media_type="application/problem+json")


UNAUTHENTICATED = {401: problem("Missing, unknown or revoked server API key")}


def _status_body(status: BillingStatus) -> BillingStatusBody:
    subscriptions = [
        ServerSubscription(
            id=line.id,
            status=line.status,
            plan=line.plan,
            product_ids=list(line.product_ids),
            price_ids=list(line.price_ids),
            entitles=line.entitles,
            current_period_end=line.current_period_end,
            cancel_at_period_end=line.cancel_at_period_end,
            cancel_at=line.cancel_at,
            ended_at=line.ended_at,
        )
        for line in status.subscriptions
    ]
    return BillingStatusBody(
        user_id=status.user_id,
        linked=status.linked,
        customer_id=status.customer_id,
        segment=status.segment,
        status=status.status,
        plan=status.plan,
        subscriptions=subscriptions,
        active_products=sorted(status.active_products),
        product=status.product,
        entitled=status.entitled,
        mirror_updated_at=status.mirror_updated_at,
    )


@get(
    "/users/{user_id:str}/billing",
    summary="A user's billing status and entitlements, from the mirror",
    description=(
        "Plan, status, every subscription and `active_products` (products of active or "
        "trialing subscriptions). With `?product=prod_...`, `entitled` answers whether the "
        "user has an active subscription to it. A user without a link answers `linked: false`."
    ),
    responses={**UNAUTHENTICATED, 422: problem("`product` is not a prod_... id")},
)
@inject
async def billing_status(
    user_id: FromPath[str],
    read: FromDishka[ReadBillingStatus],
    product: Annotated[
        str | None, Parameter(description="A Stripe product id (prod_...) to check")
    ] = None,
) -> BillingStatusBody:
    return _status_body(await read.execute(user_id, product))
