"""Events: building Stripe's envelope, queuing deliveries, and the list filters.

An event is created once per change, with a snapshot of the object, and queued for every
webhook endpoint whose ``enabled_events`` match (``*`` matches all). ``pending_webhooks``
counts endpoints that have not yet received it; ``state.deliveries[event_id][endpoint_id]``
records each delivery's ``status`` (``pending``/``succeeded``/``failed``), attempts and
the wall-clock time of the next attempt.
"""

from __future__ import annotations

import copy
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from .errors import InvalidRequest
from .objects import API_VERSION, blank, new_id
from .params import Params, array, boolean, integer, text

if TYPE_CHECKING:
    from .ledger import RequestInfo
    from .state import State


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Stripe's ``previous_attributes``: the old value of every top-level field that changed."""
    return {
        key: copy.deepcopy(value)
        for key, value in before.items()
        if after.get(key) != value and key != "updated"
    }


def endpoint_wants(endpoint: dict[str, Any], event_type: str) -> bool:
    """Whether an enabled endpoint subscribes to ``event_type``."""
    if endpoint.get("status") != "enabled":
        return False
    return any(fnmatchcase(event_type, pattern) for pattern in endpoint["enabled_events"])


def build_event(
    state: State,
    event_type: str,
    shown: dict[str, Any],
    previous_attributes: dict[str, Any] | None,
    now: int,
    request: RequestInfo,
) -> dict[str, Any]:
    """Create, store and queue one event about the already-rendered object ``shown``."""
    event = blank("event")
    event.update(id=new_id("evt"), created=now, type=event_type, api_version=API_VERSION)
    event["data"] = {"object": shown}
    if previous_attributes is not None:
        event["data"]["previous_attributes"] = previous_attributes
    event["request"] = {"id": request.request_id, "idempotency_key": request.idempotency_key}
    targets = [
        endpoint_id
        for endpoint_id, endpoint in state.table("webhook_endpoint").items()
        if endpoint_wants(endpoint, event_type)
    ]
    state.deliveries[event["id"]] = {
        endpoint_id: {"status": "pending", "attempts": 0, "next_attempt_at": 0.0, "error": None}
        for endpoint_id in targets
    }
    event["pending_webhooks"] = len(targets)
    state.table("event")[event["id"]] = event
    return event


def delivery_succeeded(state: State, event_id: str) -> bool:
    """True when every endpoint the event was sent to has acknowledged it."""
    return all(d["status"] == "succeeded" for d in state.deliveries.get(event_id, {}).values())


def filter_events(state: State, params: Params) -> list[dict[str, Any]]:
    """The events matching ``type``, ``types[]``, ``created`` and ``delivery_success``."""
    single = text(params, "type")
    several = [str(t) for t in array(params, "types")]
    if single and several:
        raise InvalidRequest("You cannot specify both `type` and `types`.", param="types")
    if len(several) > 20:
        raise InvalidRequest("You may pass at most 20 `types`.", param="types")
    success = boolean(params, "delivery_success")
    bounds = created_bounds(params)
    found = []
    for event in state.table("event").values():
        if single and not fnmatchcase(event["type"], single):
            continue
        if several and event["type"] not in several:
            continue
        if not bounds(event["created"]):
            continue
        if success is not None and delivery_succeeded(state, event["id"]) != success:
            continue
        found.append(event)
    return found


def created_bounds(params: Params, name: str = "created") -> Any:
    """A predicate for Stripe's ``created=123`` or ``created[gte]=...`` range filter."""
    raw = params.get(name)
    if raw is None or raw == "":
        return lambda _value: True
    if not isinstance(raw, dict):
        exact = integer(params, name)
        return lambda value: value == exact
    limits = {op: integer(raw, op, f"{name}[{op}]") for op in ("gt", "gte", "lt", "lte")}
    unknown = set(raw) - set(limits)
    if unknown:
        bad = sorted(unknown)[0]
        raise InvalidRequest(f"Received unknown parameter: {name}[{bad}]", param=f"{name}[{bad}]")

    def within(value: int) -> bool:
        checks = {
            "gt": lambda limit: value > limit,
            "gte": lambda limit: value >= limit,
            "lt": lambda limit: value < limit,
            "lte": lambda limit: value <= limit,
        }
        return all(checks[op](limit) for op, limit in limits.items() if limit is not None)

    return within
