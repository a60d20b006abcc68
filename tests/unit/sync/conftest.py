from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from dishka import Provider, Scope, make_async_container, provide
from tests.fakes import (
    FakeBillingAuditLog,
    FakeBillingEventSource,
    FakeBillingMirror,
    FakeClock,
    FakeConfigurationMappings,
    FakeCustomerDirectory,
    FakeCustomerLinkAudit,
    FakeEventInbox,
    FakeOutbox,
    FakeTransactionManager,
)

from application.ports.billing_audit_log import BillingAuditLog
from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.ports.clock import Clock
from application.ports.configuration_mappings import ConfigurationMappings
from application.ports.customer_directory import CustomerDirectory
from application.ports.customer_link_audit import CustomerLinkAudit
from application.ports.event_inbox import EventInbox, InboxEvent
from application.ports.outbox import Outbox
from application.ports.transaction_manager import TransactionManager
from application.sync.process_event import ProcessEvent
from application.sync.process_inbox_batch import ProcessInboxBatch
from application.sync.settings import AutoLinkSettings, SyncSettings
from domain.customer import Customer
from domain.portal_policy import PortalPolicy
from entrypoints.ioc.handlers import EventHandlerProvider, EventTranslationProvider

from .builders import CUSTOMER, T0


@dataclass
class World:
    clock: FakeClock
    inbox: FakeEventInbox
    mirror: FakeBillingMirror
    outbox: FakeOutbox
    source: FakeBillingEventSource
    audit: FakeBillingAuditLog
    mappings: FakeConfigurationMappings
    customers: FakeCustomerDirectory
    link_audit: FakeCustomerLinkAudit
    transaction: FakeTransactionManager
    settings: SyncSettings
    auto_link: AutoLinkSettings
    policy: PortalPolicy

    async def process_event(self) -> ProcessEvent:
        """Built as the service builds it: the handlers registered by the composition root
        (``entrypoints/ioc/handlers.py``), on this world's fakes."""
        container = make_async_container(
            _WorldPorts(self), EventTranslationProvider(), EventHandlerProvider(), _UseCase()
        )
        async with container() as request:
            return await request.get(ProcessEvent)

    async def worker(self) -> ProcessInboxBatch:
        return ProcessInboxBatch(
            self.inbox, await self.process_event(), self.clock, self.transaction, self.settings
        )

    async def deliver(self, payload: dict[str, Any]) -> bool:
        """What the HTTP route does after verifying: store once, commit."""
        stored = await self.inbox.store(
            InboxEvent(
                id=payload["id"],
                type=payload["type"],
                created=datetime.fromtimestamp(payload["created"], UTC),
                livemode=False,
                payload=payload,
                received_at=self.clock.now(),
            )
        )
        await self.transaction.commit()
        return stored

    async def drain(self) -> None:
        worker = await self.worker()
        while (await worker.execute(worker_id="w1")).claimed:
            pass


def _constant(value: object) -> Callable[[], object]:
    def factory() -> object:
        return value

    return factory


class _WorldPorts(Provider):
    """The world's fakes as the ports the handlers and ``ProcessEvent`` ask for."""

    def __init__(self, world: World) -> None:
        super().__init__(scope=Scope.APP)
        for port, fake in [
            (EventInbox, world.inbox),
            (BillingMirror, world.mirror),
            (Outbox, world.outbox),
            (BillingEventSource, world.source),
            (BillingAuditLog, world.audit),
            (ConfigurationMappings, world.mappings),
            (CustomerDirectory, world.customers),
            (CustomerLinkAudit, world.link_audit),
            (Clock, world.clock),
            (TransactionManager, world.transaction),
            (SyncSettings, world.settings),
            (AutoLinkSettings, world.auto_link),
            (PortalPolicy, world.policy),
        ]:
            self.provide(_constant(fake), provides=port)


class _UseCase(Provider):
    scope = Scope.REQUEST
    process_event = provide(ProcessEvent)


def make_world(
    settings: SyncSettings | None = None, auto_link: AutoLinkSettings | None = None
) -> World:
    clock = FakeClock(datetime.fromtimestamp(T0, UTC))
    inbox, mirror, outbox = FakeEventInbox(), FakeBillingMirror(clock), FakeOutbox()
    audit, link_audit = FakeBillingAuditLog(), FakeCustomerLinkAudit()
    customers = FakeCustomerDirectory(Customer("user-1", CUSTOMER, "b2c", "link@example.com"))
    return World(
        clock=clock,
        inbox=inbox,
        mirror=mirror,
        outbox=outbox,
        source=FakeBillingEventSource(clock),
        audit=audit,
        mappings=FakeConfigurationMappings(),
        customers=customers,
        link_audit=link_audit,
        transaction=FakeTransactionManager(inbox, mirror, outbox, audit, customers, link_audit),
        settings=settings or SyncSettings(),
        auto_link=auto_link or AutoLinkSettings(),
        policy=PortalPolicy(),
    )


@pytest.fixture
def world() -> World:
    return make_world()
