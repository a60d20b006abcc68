"""Use case: page through the customer links (operators' ``customers list``)."""

from __future__ import annotations

from dataclasses import dataclass

from application.errors import InvalidRequest
from application.ports.customer_directory import CustomerDirectory
from domain.customer import Customer

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class CustomerPage:
    customers: tuple[Customer, ...]
    # The user id to pass as ``after`` for the next page; None on the last page.
    next_after: str | None


class ListCustomers:
    """Links ordered by user id, ``limit`` (1..MAX_PAGE) at a time, optionally one segment's."""

    def __init__(self, customers: CustomerDirectory) -> None:
        self._customers = customers

    async def execute(
        self, *, segment: str | None = None, after: str | None = None, limit: int = 50
    ) -> CustomerPage:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidRequest(f"limit must be 1 to {MAX_PAGE}, not {limit}", field="limit")
        # One more than asked tells whether another page follows without a count query.
        rows = await self._customers.list_page(
            segment=segment, after_user_id=after, limit=limit + 1
        )
        page = tuple(rows[:limit])
        more = len(rows) > limit
        return CustomerPage(page, page[-1].user_id if more and page else None)
