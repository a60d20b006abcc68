from __future__ import annotations

from application.ports.customer_directory import CustomerDirectory
from domain.customer import Customer

from .transaction_manager import Transactional


class FakeCustomerDirectory(CustomerDirectory, Transactional):
    """Links by user id; ``committed`` holds what a commit kept, saves and removals stay
    pending till then."""

    def __init__(self, *customers: Customer) -> None:
        self.committed: dict[str, Customer] = {c.user_id: c for c in customers}
        self._pending: dict[str, Customer] = {}
        self._removed: set[str] = set()

    def _view(self) -> dict[str, Customer]:
        view = {**self.committed, **self._pending}
        return {user: c for user, c in view.items() if user not in self._removed}

    async def get(self, user_id: str) -> Customer | None:
        return self._view().get(user_id)

    async def get_by_stripe_customer_id(self, stripe_customer_id: str) -> Customer | None:
        matches = [c for c in self._view().values() if c.stripe_customer_id == stripe_customer_id]
        return matches[0] if matches else None

    async def save(self, customer: Customer) -> None:
        self._removed.discard(customer.user_id)
        self._pending[customer.user_id] = customer

    async def remove(self, user_id: str) -> None:
        self._pending.pop(user_id, None)
        self._removed.add(user_id)

    async def list_page(
        self, *, segment: str | None, after_user_id: str | None, limit: int
    ) -> list[Customer]:
        rows = sorted(self._view().values(), key=lambda c: c.user_id)
        rows = [c for c in rows if segment is None or c.segment == segment]
        rows = [c for c in rows if after_user_id is None or c.user_id > after_user_id]
        return rows[:limit]

    def _commit(self) -> None:
        self.committed.update(self._pending)
        for user_id in self._removed:
            self.committed.pop(user_id, None)
        self._pending.clear()
        self._removed.clear()

    def _rollback(self) -> None:
        self._pending.clear()
        self._removed.clear()
