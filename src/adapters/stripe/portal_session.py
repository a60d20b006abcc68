"""A ``PortalSessionRequest`` as the parameters of ``POST /v1/billing_portal/sessions``."""

from __future__ import annotations

from typing import Any

from application.ports.billing_provider import PortalSessionRequest
from domain.portal_flow import FlowType, PortalFlow


def _confirm_items(flow: PortalFlow) -> list[dict[str, Any]]:
    item: dict[str, Any] = {"price": flow.price_id}
    if flow.item_id is not None:
        item = {"id": flow.item_id, **item}
    if flow.quantity is not None:
        item["quantity"] = flow.quantity
    return [item]


def flow_data(flow: PortalFlow, return_url: str) -> dict[str, Any]:
    """Stripe's ``flow_data``; after the flow the portal sends the customer to return_url."""
    data: dict[str, Any] = {
        "type": flow.type.value,
        "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
    }
    if flow.type is FlowType.SUBSCRIPTION_CANCEL:
        data["subscription_cancel"] = {"subscription": flow.subscription_id}
    elif flow.type is FlowType.SUBSCRIPTION_UPDATE:
        data["subscription_update"] = {"subscription": flow.subscription_id}
    elif flow.type is FlowType.SUBSCRIPTION_UPDATE_CONFIRM:
        data["subscription_update_confirm"] = {
            "subscription": flow.subscription_id,
            "items": _confirm_items(flow),
        }
    return data


def portal_session_params(request: PortalSessionRequest) -> dict[str, Any]:
    params: dict[str, Any] = {
        "customer": request.customer_id,
        "configuration": request.configuration_id,
        "return_url": request.return_url,
    }
    if request.locale:
        params["locale"] = request.locale
    if request.flow is not None:
        params["flow_data"] = flow_data(request.flow, request.return_url)
    return params
