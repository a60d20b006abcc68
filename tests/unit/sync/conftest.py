from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.fakes import (
    FakeBillingAuditLog,
    FakeBillingEventSource,
    FakeBillingMirror,
    FakeClock,
    FakeConfigurationMappings,
    FakeCustomerDirectory,
    FakeEventInbox,
    FakeOutbox,
    FakeTransactionManager,
)

from application.ports.event_inbox import InboxEvent
from application.sync.process_event import ProcessEvent
from application.sync.process_inbox_batch import ProcessInboxBatch
from application.sync.settings import SyncSettings
from domain.customer import Customer

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
    transaction: FakeTransactionManager
    settings: SyncSettings

    def process_event(self) -> ProcessEvent:
        return ProcessEvent(
            self.inbox, self.mirror, self.source, self.outbox, self.customers,
            self.mappings, self.audit, self.clock, self.transaction, self.settings,
        )  # fmt: skip

    def worker(self) -> ProcessInboxBatch:
        return ProcessInboxBatch(
            self.inbox, self.process_event(), self.clock, self.transaction, self.settings
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
        while (await self.worker().execute(worker_id="w1")).claimed:
            pass


def make_world(settings: SyncSettings | None = None) -> World:
    clock = FakeClock(datetime.fromtimestamp(T0, UTC))
    inbox, mirror, outbox = FakeEventInbox(), FakeBillingMirror(clock), FakeOutbox()
    audit = FakeBillingAuditLog()
    return World(
        clock=clock,
        inbox=inbox,
        mirror=mirror,
        outbox=outbox,
        source=FakeBillingEventSource(clock),
        audit=audit,
        mappings=FakeConfigurationMappings(),
        customers=FakeCustomerDirectory(Customer("user-1", CUSTOMER, "b2c", "link@example.com")),
        transaction=FakeTransactionManager(inbox, mirror, outbox, audit),
        settings=settings or SyncSettings(),
    )


@pytest.fixture
def world() -> World:
    return make_world()
