"""The portal access policy: rules, their order and parameters are data; deciding is pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import urlencode

from domain.calendar import add_months
from domain.customer import Customer
from domain.portal_decision import (
    DecisionReason,
    NoLinkedCustomer,
    OpenPortal,
    PortalDecision,
    Redirect,
)
from domain.portal_flow import FlowType
from domain.subscription import OVERDUE_STATUSES, Subscription, SubscriptionStatus


class PortalRule(StrEnum):
    """The gates, evaluated in ``PortalPolicy.rules`` order; ``SEGMENT`` always decides."""

    NO_BILLING_ACCOUNT = "no_billing_account"
    NEVER_SUBSCRIBED = "never_subscribed"
    INCOMPLETE_PAYMENT = "incomplete_payment"
    SUBSCRIPTIONS_ENDED = "subscriptions_ended"
    PAYMENT_OVERDUE = "payment_overdue"
    MULTIPLE_SUBSCRIPTIONS = "multiple_subscriptions"
    SEGMENT = "segment"


DEFAULT_RULE_ORDER = tuple(PortalRule)


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class PortalPolicy:
    """Every parameter of the portal rules (see the rules table in the README)."""

    pricing_path: str = "/pricing"
    reactivation_path: str = "/reactivate"
    complete_payment_path: str = "/billing/complete-payment"
    segment_configurations: Mapping[str, str] = field(
        default_factory=lambda: _frozen({"enterprise": "b2b", "b2b": "b2b", "b2c": "b2c"})
    )
    default_configuration: str = "b2c"
    multiple_subscriptions_configuration: str = "payment_methods_only"
    restricted_variants: Mapping[str, str] = field(
        default_factory=lambda: _frozen({"b2b": "b2b_restricted", "b2c": "b2c_restricted"})
    )
    tenure_months: int = 6
    rules: tuple[PortalRule, ...] = DEFAULT_RULE_ORDER

    def __post_init__(self) -> None:
        # A caller's dict must not change a policy after it was validated.
        for name in ("segment_configurations", "restricted_variants"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        try:
            # Settings hand rule names over as strings; keep them as the enum from here on.
            object.__setattr__(self, "rules", tuple(PortalRule(r) for r in self.rules))
        except ValueError as error:
            known = ", ".join(PortalRule)
            raise ValueError(f"unknown portal rule in {self.rules!r}; known: {known}") from error
        if not self.rules or self.rules[-1] is not PortalRule.SEGMENT:
            raise ValueError(
                "the portal rules must end with 'segment', the rule that always decides"
            )
        if len(set(self.rules)) != len(self.rules):
            raise ValueError("each portal rule may appear only once")
        if self.tenure_months < 0:
            raise ValueError("tenure_months must be zero (off) or positive")
        if self.tenure_months:
            self._check_restricted_variants()

    def _check_restricted_variants(self) -> None:
        """The tenure rule must never fall back to a configuration that allows plan changes."""
        bases = {self.default_configuration, *self.segment_configurations.values()}
        for base in sorted(bases):
            variant = self.restricted_variants.get(base)
            if not variant or variant == base:
                raise ValueError(
                    f"configuration {base!r} needs a restricted variant (restricted_variants) "
                    "for the tenure rule, or set tenure_months to 0"
                )

    def configuration_names(self) -> frozenset[str]:
        """Every configuration name the policy can choose (all must exist in the catalog)."""
        names = {self.default_configuration, self.multiple_subscriptions_configuration}
        names |= set(self.segment_configurations.values()) | set(self.restricted_variants.values())
        return frozenset(names)


@dataclass(frozen=True, slots=True)
class _Situation:
    policy: PortalPolicy
    customer: Customer | None
    subscriptions: tuple[Subscription, ...]
    now: datetime

    @property
    def live(self) -> list[Subscription]:
        return [s for s in self.subscriptions if s.is_live]

    @property
    def relevant(self) -> Subscription | None:
        """The newest live subscription, else the newest not ended, else the newest of all.

        A live subscription outranks a newer incomplete one: a customer who is paying for a
        plan keeps their portal while a second purchase waits for its payment.
        """
        pool = (
            self.live
            or [s for s in self.subscriptions if not s.is_ended]
            or list(self.subscriptions)
        )
        return max(pool, key=lambda s: (s.created, s.id), default=None)


def _no_billing_account(s: _Situation) -> PortalDecision | None:
    if s.customer is None or not s.customer.has_billing_account:
        return NoLinkedCustomer("no Stripe customer is linked to this user")
    return None


def _never_subscribed(s: _Situation) -> PortalDecision | None:
    if not s.subscriptions:
        return Redirect(
            DecisionReason.NEVER_SUBSCRIBED, s.policy.pricing_path, "the customer never subscribed"
        )
    return None


def _incomplete_payment(s: _Situation) -> PortalDecision | None:
    sub = s.relevant
    if sub is None or sub.status is not SubscriptionStatus.INCOMPLETE:
        return None
    target = sub.latest_invoice_url or (
        f"{s.policy.complete_payment_path}?{urlencode({'subscription': sub.id})}"
    )
    explanation = f"subscription {sub.id} is waiting for its first payment"
    return Redirect(DecisionReason.INCOMPLETE_PAYMENT, target, explanation, sub.id)


def _subscriptions_ended(s: _Situation) -> PortalDecision | None:
    # Not for an empty list (all() of nothing is true): that customer never subscribed.
    if s.subscriptions and all(sub.is_ended and sub.period_over(s.now) for sub in s.subscriptions):
        return Redirect(
            DecisionReason.SUBSCRIPTIONS_ENDED,
            s.policy.reactivation_path,
            "every subscription has ended and its paid period is over",
        )
    return None


def _payment_overdue(s: _Situation) -> PortalDecision | None:
    overdue = [sub for sub in s.live if sub.status in OVERDUE_STATUSES]
    if not overdue:
        return None
    chosen = _choose_configuration(s)
    sub = max(overdue, key=lambda x: (x.created, x.id))
    return OpenPortal(
        DecisionReason.PAYMENT_OVERDUE,
        chosen.configuration,
        f"subscription {sub.id} is {sub.status.value}: the payment method needs updating",
        default_flow=FlowType.PAYMENT_METHOD_UPDATE,
        subscription_id=sub.id,
        return_markers=chosen.return_markers,
    )


def _multiple_subscriptions(s: _Situation) -> PortalDecision | None:
    if len(s.live) > 1:
        return _multiple(s)
    return None


def _multiple(s: _Situation) -> OpenPortal:
    return OpenPortal(
        DecisionReason.MULTIPLE_SUBSCRIPTIONS,
        s.policy.multiple_subscriptions_configuration,
        f"the customer has {len(s.live)} live subscriptions: payment methods only",
        return_markers=(("multiple_subscriptions", "true"),),
    )


def _in_tenure_window(sub: Subscription, policy: PortalPolicy, now: datetime) -> bool:
    if policy.tenure_months == 0 or not sub.is_yearly:
        return False
    return now < add_months(sub.start_date, policy.tenure_months)


def _segment(s: _Situation) -> OpenPortal:
    return _choose_configuration(s)


def _choose_configuration(s: _Situation) -> OpenPortal:
    """Rules 6 to 8: several live subscriptions, unknown status, segment, then tenure."""
    policy, live = s.policy, s.live
    if len(live) > 1:
        return _multiple(s)
    unknown = [sub for sub in live if sub.status is SubscriptionStatus.UNKNOWN]
    if unknown:
        raw = unknown[0].raw_status or SubscriptionStatus.UNKNOWN.value
        return OpenPortal(
            DecisionReason.UNRECOGNISED_STATUS,
            policy.multiple_subscriptions_configuration,
            f"subscription {unknown[0].id} has status {raw!r}, which this service does not know: "
            "payment methods only",
        )
    segment = s.customer.segment if s.customer else ""
    mapped = policy.segment_configurations.get(segment)
    base = mapped or policy.default_configuration
    sub = live[0] if live else s.relevant
    if sub is not None and sub.is_live and _in_tenure_window(sub, policy, s.now):
        restricted = policy.restricted_variants.get(base)
        if restricted:
            return OpenPortal(
                DecisionReason.TENURE_RESTRICTED,
                restricted,
                f"yearly subscription {sub.id} is younger than {policy.tenure_months} months",
                subscription_id=sub.id,
            )
    return OpenPortal(
        DecisionReason.SEGMENT,
        base,
        f"segment {segment!r} uses the {base!r} configuration"
        if mapped
        else f"segment {segment!r} is not mapped: the default {base!r} configuration",
        subscription_id=sub.id if sub else None,
    )


_RULES: Mapping[PortalRule, Callable[[_Situation], PortalDecision | None]] = {
    PortalRule.NO_BILLING_ACCOUNT: _no_billing_account,
    PortalRule.NEVER_SUBSCRIBED: _never_subscribed,
    PortalRule.INCOMPLETE_PAYMENT: _incomplete_payment,
    PortalRule.SUBSCRIPTIONS_ENDED: _subscriptions_ended,
    PortalRule.PAYMENT_OVERDUE: _payment_overdue,
    PortalRule.MULTIPLE_SUBSCRIPTIONS: _multiple_subscriptions,
    PortalRule.SEGMENT: _segment,
}


def decide_portal_access(
    policy: PortalPolicy,
    customer: Customer | None,
    subscriptions: Sequence[Subscription],
    now: datetime,
) -> PortalDecision:
    """Exactly one decision for this user; pure: everything it needs comes in as arguments."""
    situation = _Situation(policy, customer, tuple(subscriptions), now)
    if customer is None or not customer.has_billing_account:
        # Never a portal without a customer, whatever order the rules are given in.
        return NoLinkedCustomer("no Stripe customer is linked to this user")
    for rule in policy.rules:
        decision = _RULES[rule](situation)
        if decision is not None:
            return decision
    raise AssertionError("unreachable: the segment rule always decides")  # pragma: no cover
