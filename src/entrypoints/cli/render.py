"""Plain-text rendering of domain objects for support staff."""

from __future__ import annotations

from datetime import datetime

from domain.portal_decision import NoLinkedCustomer, OpenPortal, PortalDecision, Redirect
from domain.subscription import Subscription


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def subscription_line(sub: Subscription) -> str:
    plans = ", ".join(
        f"{item.price_id} x{item.quantity or 1}"
        + (f" every {item.interval_count} {item.interval.value}" if item.interval else "")
        for item in sub.items
    )
    status = sub.raw_status or sub.status.value
    notes = []
    if sub.cancel_at_period_end:
        notes.append("cancels at period end")
    if sub.ended_at:
        notes.append(f"ended {when(sub.ended_at)}")
    extra = f" ({'; '.join(notes)})" if notes else ""
    return f"  {sub.id}  {status}  {plans or 'no items'}  period ends {when(sub.period_end)}{extra}"


def decision_line(decision: PortalDecision) -> str:
    reason = decision.reason.value
    if isinstance(decision, NoLinkedCustomer):
        return f"no portal ({reason}): {decision.explanation}"
    if isinstance(decision, Redirect):
        return f"redirect to {decision.redirect_to} ({reason}): {decision.explanation}"
    assert isinstance(decision, OpenPortal)
    flow = f", deep link {decision.default_flow.value}" if decision.default_flow else ""
    return (
        f"open the portal with {decision.configuration!r}{flow} ({reason}): {decision.explanation}"
    )
