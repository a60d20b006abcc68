from __future__ import annotations

from application.ports.customer_directory import CustomerDirectory
from domain.customer import Customer

from .transaction_manager import Transactional


class FakeCustomerDirectory(CustomerDirectory, Transactional):
    """Links by user id; ``committed`` holds what a commit kept, saves stay pending till then."""

    def __init__(self, *customers: Customer) -> None:
        self.committed: dict[str, Customer] = {c.user_id: c for c in customers}
        self._pending: dict[str, Customer] = {}

    def _view(self) -> dict[str, Customer]:
        return {**self.committed, **self._pending}

    async def get(self, user_id: str) -> Customer | None:
        return self._view().get(user_id)

    async def get_by_stripe_customer_id(self, stripe_customer_id: str) -> Customer | None:
        matches = [c for c in self._view().values() if c.stripe_customer_id == stripe_customer_id]
        return matches[0] if matches else None

    async def save(self, customer: Customer) -> None:
        self._pending[customer.user_id] = customer

    def _commit(self) -> None:
        self.committed.update(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()
