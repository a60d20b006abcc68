from __future__ import annotations

from tests.fakes import FakeMailer

from adapters.email.renderer import JinjaEmailRenderer
from application.billing_page.billing_summary import BillingSummary
from application.billing_page.list_invoices import ListInvoices
from application.ports.outbox import OutboxMessage, OutboxStatus
from application.sync.send_outbox_batch import SendOutboxBatch
from application.sync.settings import SyncSettings
from domain.portal_decision import OpenPortal
from domain.portal_policy import PortalPolicy

from .builders import T0, customer, event, invoice, payment_method, subscription
from .conftest import World, make_world


async def test_summary_shows_plans_card_freshness_and_the_portal_decision(world: World) -> None:
    await world.deliver(
        event("payment_method.attached", payment_method(), event_id="e1", created=T0)
    )
    linked = customer(invoice_settings={"default_payment_method": "pm_visa"})
    await world.deliver(event("customer.updated", linked, event_id="e2", created=T0 + 1))
    await world.deliver(
        event("customer.subscription.created", subscription(), event_id="e3", created=T0 + 2)
    )
    await world.drain()

    summary = await BillingSummary(
        world.customers, world.mirror, world.clock, PortalPolicy()
    ).execute("user-1")

    [line] = summary.subscriptions
    assert (line.status, line.plans[0].plan_name, line.plans[0].interval) == (
        "active",
        "Basic",
        "month",
    )
    assert summary.default_payment_method.last4 == "4242"
    assert summary.mirror_updated_at == world.clock.now()  # when we wrote it, not Stripe
    assert isinstance(summary.decision, OpenPortal)
    assert summary.decision.configuration == "b2c"


async def test_mirror_updated_at_moves_with_each_write_even_within_stripes_second(
    world: World,
) -> None:
    summary = BillingSummary(world.customers, world.mirror, world.clock, PortalPolicy())
    assert (await summary.execute("user-1")).mirror_updated_at is None
    created = event("customer.subscription.created", subscription(), event_id="e1", created=T0)
    await world.deliver(created)
    await world.drain()
    before = (await summary.execute("user-1")).mirror_updated_at

    world.clock.advance(0.25)  # a card added in the portal, in the same Stripe second
    await world.deliver(
        event("payment_method.attached", payment_method(), event_id="e2", created=T0)
    )
    await world.drain()
    after = (await summary.execute("user-1")).mirror_updated_at

    assert before is not None
    assert after is not None
    assert after > before
    world.clock.advance(5)  # a replayed event changes nothing, so the time stays
    await world.inbox.requeue("e1", now=world.clock.now())
    await world.drain()
    assert (await summary.execute("user-1")).mirror_updated_at == after


async def test_an_overdue_subscription_shows_the_invoice_that_failed(world: World) -> None:
    overdue = subscription(status="past_due")
    failed = invoice(
        "in_failed", subscription="sub_1", created=T0 + 5, status="open", amount_due=1999
    )
    paid = invoice("in_paid", subscription="sub_1", created=T0 - 30 * 86400, status="paid")
    other = subscription("sub_2", price="price_pro")
    for n, payload in enumerate([overdue, other]):
        await world.deliver(event("customer.subscription.updated", payload, event_id=f"s{n}"))
    await world.deliver(event("invoice.payment_failed", failed, event_id="i1"))
    await world.deliver(event("invoice.paid", paid, event_id="i2"))
    await world.drain()

    result = await BillingSummary(
        world.customers, world.mirror, world.clock, PortalPolicy()
    ).execute("user-1")

    lines = {line.id: line for line in result.subscriptions}
    latest = lines["sub_1"].latest_invoice
    assert latest is not None
    assert (latest.status, latest.amount_due, latest.currency) == ("open", 1999, "usd")
    assert latest.hosted_invoice_url == "https://pay.example/in_1"
    assert lines["sub_1"].period_start is not None
    assert lines["sub_1"].period_start.timestamp() == T0
    assert lines["sub_2"].latest_invoice is None


async def test_invoices_come_newest_first_a_page_at_a_time(world: World) -> None:
    for n in range(5):
        inv = invoice(f"in_{n}", created=T0 + n, number=f"N-{n}")
        await world.deliver(event("invoice.finalized", inv, event_id=f"e{n}", created=T0 + n))
    await world.drain()
    use_case = ListInvoices(world.customers, world.mirror)

    first = await use_case.execute("user-1", limit=3)
    second = await use_case.execute("user-1", limit=3, cursor=first.next_cursor)

    assert [i.number for i in first.invoices] == ["N-4", "N-3", "N-2"]
    assert [i.number for i in second.invoices] == ["N-1", "N-0"]
    assert second.next_cursor is None


async def test_the_outbox_sends_once_retries_failures_and_never_resends() -> None:
    world = make_world(SyncSettings(backoff_base_seconds=60))
    await world.deliver(event("invoice.payment_failed", invoice(amount_due=500), event_id="e1"))
    await world.drain()
    mailer = FakeMailer(failures=1)
    send = SendOutboxBatch(
        world.outbox, JinjaEmailRenderer(app_name="Acme"), mailer, world.clock,
        world.transaction, world.settings, message_id_domain="billing.acme.test",
    )  # fmt: skip

    await send.execute(worker_id="w1")  # the server says "try later"
    world.clock.advance(60)
    await send.execute(worker_id="w1")
    world.clock.advance(3600)
    await send.execute(worker_id="w1")

    [sent] = mailer.sent
    assert sent.subject == "We could not take your payment of 5.00 USD"
    assert "?flow=payment_method_update" in sent.text
    assert "Acme" in sent.html
    assert dict(sent.headers)["Message-ID"].endswith("@billing.acme.test>")
    [message] = world.outbox.messages.values()
    assert message.status is OutboxStatus.SENT
    assert message.attempts == 1


async def test_a_message_its_template_cannot_render_is_parked_not_a_crash() -> None:
    world = make_world()
    await world.outbox.enqueue(
        OutboxMessage(
            key="k1", template="plan_changed", to="a@example.com", created_at=world.clock.now()
        )
    )
    mailer = FakeMailer()
    send = SendOutboxBatch(
        world.outbox, JinjaEmailRenderer(), mailer, world.clock, world.transaction,
        world.settings, message_id_domain="billing.acme.test",
    )  # fmt: skip

    result = await send.execute(worker_id="w1")

    assert result.parked == ("k1",)
    assert mailer.sent == []
    message = world.outbox.messages["k1"]
    assert message.status is OutboxStatus.FAILED
    assert "cannot be rendered" in (message.last_error or "")
