"""``customer.subscription.*``: mirror the subscription, then tell the customer what changed."""

from __future__ import annotations

from application.sync.events import ProviderEvent
from application.sync.handlers.context import SyncContext
from application.sync.json_fields import entries, moment, reference, section, text
from application.sync.notifier import EmailTemplate
from application.sync.parsers import parse_subscription
from application.sync.reconcile import reconcile
from domain.billing.subscription import MirroredSubscription


class SubscriptionEvents:
    TYPES = tuple(
        f"customer.subscription.{kind}"
        for kind in ("created", "updated", "deleted", "paused", "resumed", "trial_will_end")
    )

    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx

    async def handle(self, event: ProviderEvent) -> None:
        ctx = self._ctx
        incoming = parse_subscription(event.object, event.version)
        existing = await ctx.mirror.get_subscription(incoming.id)
        await reconcile(
            existing,
            incoming,
            refetch=lambda: ctx.source.retrieve_subscription(incoming.id),
            save=ctx.mirror.save_subscription,
            always_refetch=ctx.settings.always_refetch,
        )
        # Emails describe what this event reports, even when a newer state is already held.
        for template, context in _emails(event, incoming, existing):
            await ctx.notifier.notify(
                event_id=event.id,
                template=template,
                customer_id=incoming.customer_id,
                context={"plan": incoming.plan_label(), **context},
            )


def _emails(
    event: ProviderEvent, sub: MirroredSubscription, before: MirroredSubscription | None
) -> list[tuple[str, dict[str, object]]]:
    if event.type == "customer.subscription.deleted":
        ended = sub.subscription.ended_at or event.version.at
        return [(EmailTemplate.SUBSCRIPTION_ENDED, {"ended_at": ended.isoformat()})]
    if event.type != "customer.subscription.updated":
        return []
    found: list[tuple[str, dict[str, object]]] = []
    change = _plan_change(event, sub, before)
    if change is not None:
        found.append((EmailTemplate.PLAN_CHANGED, change))
    if _cancellation_scheduled(event, sub):
        until = sub.subscription.cancel_at or sub.subscription.current_period_end
        details = sub.cancellation
        found.append(
            (
                EmailTemplate.CANCELLATION_SCHEDULED,
                {
                    "access_until": until.isoformat() if until else None,
                    "reason": details.comment or details.feedback or details.reason,
                },
            )
        )
    if _cancellation_undone(event, sub):
        renews = sub.subscription.current_period_end
        found.append(
            (
                EmailTemplate.CANCELLATION_UNDONE,
                {"renews_at": renews.isoformat() if renews else None},
            )
        )
    return found


def _plan_change(
    event: ProviderEvent, sub: MirroredSubscription, before: MirroredSubscription | None
) -> dict[str, object] | None:
    previous = event.previous
    if "items" in previous:
        old_items = entries(previous, "items")
        old_prices = {reference(i, "price") or text(section(i, "plan"), "id") for i in old_items}
        if old_prices != set(sub.subscription.price_ids()):
            names = [
                text(section(i, "price"), "nickname")
                or (before.plan_name(p) if before and p else None)
                or p
                for i in old_items
                if (p := reference(i, "price") or text(section(i, "plan"), "id"))
            ]
            return {
                "from_plan": " + ".join(n for n in names if n) or None,
                "to_plan": sub.plan_label(),
                "effective": "immediately",
                "effective_at": event.version.at.isoformat(),
            }
    newly_scheduled = "schedule" in previous and previous.get("schedule") is None
    if newly_scheduled and reference(event.object, "schedule"):
        # A change at period end: Stripe attached a schedule; the price has not moved yet.
        end = sub.subscription.current_period_end
        return {
            "from_plan": sub.plan_label(),
            "to_plan": None,
            "effective": "period_end",
            "effective_at": end.isoformat() if end else None,
        }
    return None


def _cancellation_scheduled(event: ProviderEvent, sub: MirroredSubscription) -> bool:
    previous = event.previous
    flipped = (
        previous.get("cancel_at_period_end") is False and sub.subscription.cancel_at_period_end
    )
    dated = "cancel_at" in previous and moment(previous, "cancel_at") is None
    return flipped or (dated and sub.subscription.cancel_at is not None)


def _cancellation_undone(event: ProviderEvent, sub: MirroredSubscription) -> bool:
    """The customer renewed: the scheduled end (at period end, or on a date) is gone."""
    state = sub.subscription
    if state.is_ended or state.cancel_at_period_end or state.cancel_at is not None:
        return False
    previous = event.previous
    was_at_period_end = previous.get("cancel_at_period_end") is True
    was_dated = "cancel_at" in previous and moment(previous, "cancel_at") is not None
    return was_at_period_end or was_dated
