"""Which portal deep links a customer could open now (shown on the billing page)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from domain.capabilities import ConfigurationCapabilities
from domain.errors import FlowNotAllowed
from domain.portal_flow import FlowRequest, FlowType, resolve_flow
from domain.subscription import Subscription

# The answers for the inputs seen last (a pure function of them: the subscriptions as the
# rules compare them, the configuration's capabilities and its name), so that a billing
# page shown again for the same subscriptions does not try every flow again (5% of
# ``GET /api/billing/summary``, docs/PERFORMANCE.md). Forgotten all at once when full.
_ANSWERS: dict[
    tuple[tuple[Subscription, ...], ConfigurationCapabilities, str], tuple[FlowType, ...]
] = {}
_ANSWERS_KEPT = 4096


def allowed_flows(
    subscriptions: Sequence[Subscription],
    capabilities: ConfigurationCapabilities,
    configuration: str,
) -> tuple[FlowType, ...]:
    """Every flow type that the deep-link rules accept for at least one of the customer's
    subscriptions (and, for ``subscription_update_confirm``, one of the offered prices):
    exactly what ``POST /api/billing/portal-sessions`` would accept."""
    key = (tuple(subscriptions), capabilities, configuration)
    found = _ANSWERS.get(key)
    if found is None:
        found = _allowed_flows(key[0], capabilities, configuration)
        if len(_ANSWERS) >= _ANSWERS_KEPT:
            _ANSWERS.clear()
        _ANSWERS[key] = found
    return found


def _allowed_flows(
    subscriptions: Sequence[Subscription],
    capabilities: ConfigurationCapabilities,
    configuration: str,
) -> tuple[FlowType, ...]:
    return tuple(
        flow_type
        for flow_type in FlowType
        if any(
            _resolves(request, subscriptions, capabilities, configuration)
            for request in _requests(flow_type, subscriptions, capabilities)
        )
    )


def _requests(
    flow_type: FlowType,
    subscriptions: Sequence[Subscription],
    capabilities: ConfigurationCapabilities,
) -> Iterator[FlowRequest]:
    """The requests to try, one at a time: the first that resolves settles the flow type
    (building every target x price request up front was most of this function's time)."""
    targets: list[str | None] = [None, *(s.id for s in subscriptions)]
    if flow_type is not FlowType.SUBSCRIPTION_UPDATE_CONFIRM:
        for target in targets:
            yield FlowRequest(flow_type, target)
        return
    # Prices may also be offered by lookup key (when the catalog declares them so).
    keys: frozenset[str] = getattr(capabilities, "updatable_price_lookup_keys", frozenset())
    prices = sorted(capabilities.updatable_prices | keys)
    for target in targets:
        for price in prices:
            yield FlowRequest(flow_type, target, price)


def _resolves(
    request: FlowRequest,
    subscriptions: Sequence[Subscription],
    capabilities: ConfigurationCapabilities,
    configuration: str,
) -> bool:
    try:
        resolve_flow(request, subscriptions, capabilities, configuration)
    except FlowNotAllowed:
        return False
    return True
