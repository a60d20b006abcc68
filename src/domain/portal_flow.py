"""Deep links into the portal: which flow, for which subscription, if the configuration allows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.capabilities import ConfigurationCapabilities
from domain.errors import FlowNotAllowed
from domain.subscription import Subscription, SubscriptionStatus


class FlowType(StrEnum):
    PAYMENT_METHOD_UPDATE = "payment_method_update"
    SUBSCRIPTION_CANCEL = "subscription_cancel"
    SUBSCRIPTION_UPDATE = "subscription_update"
    SUBSCRIPTION_UPDATE_CONFIRM = "subscription_update_confirm"


@dataclass(frozen=True, slots=True)
class FlowRequest:
    """What the caller asked for; ``price_id`` only for ``subscription_update_confirm``.

    ``price_id`` names the target price as the configuration offers it: a price id, or a
    Stripe price lookup key when the catalog lists the price under ``price_lookup_keys``.
    """

    type: FlowType
    subscription_id: str | None = None
    price_id: str | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class PortalFlow:
    """A validated deep link, ready to become Stripe's ``flow_data``.

    A confirm flow targets ``price_id``, or ``price_lookup_key`` when the caller named the
    price by lookup key: the billing provider turns the key into the price id it names
    now, as it opens the session.
    """

    type: FlowType
    subscription_id: str | None = None
    item_id: str | None = None
    price_id: str | None = None
    quantity: int | None = None
    price_lookup_key: str | None = None


_NEEDS_FEATURE = {
    FlowType.PAYMENT_METHOD_UPDATE: ("payment_method_update", "payment method updates"),
    FlowType.SUBSCRIPTION_CANCEL: ("subscription_cancel", "cancellation"),
    FlowType.SUBSCRIPTION_UPDATE: ("subscription_update", "plan changes"),
    FlowType.SUBSCRIPTION_UPDATE_CONFIRM: ("subscription_update", "plan changes"),
}
_UPDATABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})
# Seats a deep link may ask for: far above any self-service plan, far below what would
# overflow anything downstream (Stripe stores quantities as integers; 10^30 reached it).
MAX_FLOW_QUANTITY = 10_000


def _refuse(message: str, field: str = "flow") -> FlowNotAllowed:
    return FlowNotAllowed(message, field=field)


def _pick_subscription(request: FlowRequest, subscriptions: Sequence[Subscription]) -> Subscription:
    if request.subscription_id is not None:
        for sub in subscriptions:
            if sub.id == request.subscription_id:
                return sub
        raise _refuse(
            f"subscription {request.subscription_id!r} does not belong to this customer",
            "flow.subscription_id",
        )
    live = [s for s in subscriptions if s.is_live]
    if not live:
        raise _refuse("the customer has no live subscription for this flow", "flow.subscription_id")
    if len(live) > 1:
        raise _refuse(
            f"the customer has {len(live)} live subscriptions; say which one in flow.subscription_id",
            "flow.subscription_id",
        )
    return live[0]


def resolve_flow(
    request: FlowRequest,
    subscriptions: Sequence[Subscription],
    capabilities: ConfigurationCapabilities,
    configuration_name: str,
) -> PortalFlow:
    """Check a deep-link request against the customer's subscriptions and the configuration."""
    feature, label = _NEEDS_FEATURE[request.type]
    if not getattr(capabilities, feature):
        raise _refuse(f"the {configuration_name!r} portal configuration does not allow {label}")
    if request.type is FlowType.PAYMENT_METHOD_UPDATE:
        if request.subscription_id is not None:
            _pick_subscription(request, subscriptions)
        return PortalFlow(FlowType.PAYMENT_METHOD_UPDATE)
    sub = _pick_subscription(request, subscriptions)
    if request.type is FlowType.SUBSCRIPTION_CANCEL:
        # A cancellation scheduled for a date (cancel_at) is as final as one at period end.
        if not sub.is_live or sub.cancel_at_period_end or sub.cancel_at is not None:
            raise _refuse(f"subscription {sub.id!r} is already ended or scheduled to cancel")
        return PortalFlow(request.type, subscription_id=sub.id)
    if sub.status not in _UPDATABLE:
        raise _refuse(
            f"subscription {sub.id!r} is {sub.status.value}; only active or trialing ones can change"
        )
    if request.type is FlowType.SUBSCRIPTION_UPDATE:
        return PortalFlow(request.type, subscription_id=sub.id)
    return _confirm_flow(request, sub, capabilities, configuration_name)


def _confirm_flow(
    request: FlowRequest,
    sub: Subscription,
    capabilities: ConfigurationCapabilities,
    configuration_name: str,
) -> PortalFlow:
    target = request.price_id
    if not target:
        raise _refuse("subscription_update_confirm needs flow.price_id", "flow.price_id")
    by_key = target not in capabilities.updatable_prices
    if by_key and target not in capabilities.updatable_price_lookup_keys:
        raise _refuse(
            f"price {target!r} is not offered by the {configuration_name!r} configuration"
            + _offered_keys(capabilities),
            "flow.price_id",
        )
    if len(sub.items) != 1:
        raise _refuse(f"subscription {sub.id!r} has {len(sub.items)} items; the portal needs one")
    item = sub.items[0]
    _check_quantity(request.quantity, item.quantity, capabilities, configuration_name)
    # By lookup key the current price cannot be told apart here; the provider judges.
    if not by_key and item.price_id == target and request.quantity in (None, item.quantity):
        raise _refuse(f"subscription {sub.id!r} is already on {target!r}", "flow.price_id")
    return PortalFlow(
        request.type,
        subscription_id=sub.id,
        item_id=item.id,
        price_id=None if by_key else target,
        quantity=request.quantity,
        price_lookup_key=target if by_key else None,
    )


def _check_quantity(
    wanted: int | None,
    current: int | None,
    capabilities: ConfigurationCapabilities,
    configuration_name: str,
) -> None:
    if wanted is None:
        return
    if not 1 <= wanted <= MAX_FLOW_QUANTITY:
        raise _refuse(f"flow.quantity must be between 1 and {MAX_FLOW_QUANTITY}", "flow.quantity")
    if wanted != current and not capabilities.quantity_updates:
        raise _refuse(
            f"the {configuration_name!r} portal configuration does not allow quantity changes; "
            f"leave flow.quantity out (or send the current quantity, {current})",
            "flow.quantity",
        )


def _offered_keys(capabilities: ConfigurationCapabilities) -> str:
    keys = sorted(capabilities.updatable_price_lookup_keys)
    if not keys:
        return ""
    return f"; it offers prices by lookup key, pass one of: {', '.join(keys)}"
