"""Use case: link an app user to their Stripe customer (operators and the server API)."""

from __future__ import annotations

from application.customers.link_request import OPERATOR, LinkCustomerRequest
from application.customers.link_writer import LinkWriter
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.customer_link_audit import CustomerLinkAudit
from application.ports.transaction_manager import TransactionManager
from domain.customer import Customer

__all__ = ["OPERATOR", "LinkCustomer", "LinkCustomerRequest"]


class LinkCustomer:
    """Insert or replace the user's link and audit the change; one commit.

    Refuses malformed ids, unknown segments and bad emails (``InvalidRequest``), and a Stripe
    customer another user holds (``LinkConflict``). Linking again to the same customer with
    the same segment changes and audits nothing.
    """

    def __init__(
        self,
        customers: CustomerDirectory,
        transaction: TransactionManager,
        known_segments: frozenset[str],
        audit: CustomerLinkAudit,
        clock: Clock,
    ) -> None:
        self._writer = LinkWriter(customers, known_segments, audit, clock)
        self._transaction = transaction

    async def execute(self, request: LinkCustomerRequest) -> Customer:
        customer = await self._writer.write(request)
        await self._transaction.commit()
        return customer
