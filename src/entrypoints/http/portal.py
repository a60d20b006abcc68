"""POST /api/billing/portal-sessions: open the billing portal, or say where to go instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation, RequestBody
from litestar.params import JSONBody

from application.open_portal import OpenBillingPortal, OpenPortalRequest, OpenPortalResult
from domain.portal_flow import FlowRequest
from entrypoints.http.schemas import PortalRedirect, PortalSessionBody, PortalSessionOpened
from entrypoints.logging import log_info

log = structlog.get_logger("entrypoints.http")


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(None, description=description, media_type="application/problem+json")


def use_case_request(
    user_id: str,
    body: PortalSessionBody | None,
    *,
    request_id: str | None,
    client_address: str | None,
    user_agent: str | None,
) -> OpenPortalRequest:
    """The use case's request from the API's body and the HTTP request's facts (also
    used by the fast path in ``fast_routes.py``)."""
    body = body or PortalSessionBody()
    flow = None
    if body.flow is not None:
        f = body.flow
        flow = FlowRequest(f.type, f.subscription_id, f.price_id, f.quantity)
    return OpenPortalRequest(
        user_id=user_id,
        return_path=body.return_path,
        flow=flow,
        locale=body.locale,
        request_id=request_id,
        client_address=client_address,
        user_agent=user_agent,
        channel="api",
    )


def answer(result: OpenPortalResult) -> tuple[int, PortalSessionOpened | PortalRedirect]:
    """The status and body for a result, logged (both routes answer through here)."""
    reason = result.decision.reason.value
    if result.url is not None:
        fields = {"configuration": result.configuration, "reason": reason}
        log_info(log, "portal.session.created", fields)  # without structlog's processors
        return 201, PortalSessionOpened(result.url, result.configuration or "", reason)
    log_info(
        log, "portal.session.redirected", {"reason": reason, "redirect_to": result.redirect_to}
    )
    return 200, PortalRedirect(reason, result.redirect_to or "")


@dataclass
class _OptionalBodyOperation(Operation):
    """The body is optional (an empty POST opens the portal with the defaults); Litestar
    marks every request body required, so the schema says so here."""

    def __post_init__(self) -> None:
        if isinstance(self.request_body, RequestBody):
            self.request_body.required = False


@post(
    "/portal-sessions",
    operation_class=_OptionalBodyOperation,
    summary="Open the billing portal for the signed-in user",
    description=(
        "201 with the portal URL when the portal opens; 200 with `redirect_to` when the user "
        "must go elsewhere first (pricing, complete payment, reactivate)."
    ),
    status_code=201,
    responses={
        200: ResponseSpec(PortalRedirect, description="Send the user to redirect_to"),
        401: _problem("Missing, expired or invalid bearer token"),
        404: _problem("No billing account linked to the user"),
        422: _problem("Invalid body, return path, locale or flow"),
        429: _problem("Too many requests for this user; see Retry-After"),
        503: _problem("Billing provider unavailable or configuration not applied"),
    },
    security=[{"bearer": []}],
)
@inject
async def create_portal_session(
    request: Request[str, Any, Any],
    open_portal: FromDishka[OpenBillingPortal],
    data: JSONBody[PortalSessionBody | None] = None,
) -> Response[PortalSessionOpened | PortalRedirect]:
    request_for = use_case_request(
        request.user,
        data,
        request_id=request.state.get("request_id"),
        client_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    status, body = answer(await open_portal.execute(request_for))
    return Response(body, status_code=status)
