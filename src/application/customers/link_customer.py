"""Use case: link an app user to their Stripe customer (support and onboarding)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from application.errors import InvalidRequest
from application.ports.customer_directory import CustomerDirectory
from application.ports.transaction_manager import TransactionManager
from domain.customer import Customer

_CUSTOMER_ID = re.compile(r"cus_[A-Za-z0-9]{1,250}")
_SEGMENT = re.compile(r"[a-z][a-z0-9_\-]{0,63}")
# Deliberately loose (one '@', no spaces, a dot in the domain): the provider and the mail
# server are the real judges; this catches typos such as a missing '@' or a bare '@'.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class LinkCustomerRequest:
    user_id: str
    stripe_customer_id: str
    segment: str
    email: str | None = None


class LinkCustomer:
    """Insert or replace the user's link; refuses malformed ids and unknown segments."""

    def __init__(
        self,
        customers: CustomerDirectory,
        transaction: TransactionManager,
        known_segments: frozenset[str],
    ) -> None:
        self._customers = customers
        self._transaction = transaction
        self._known_segments = known_segments

    async def execute(self, request: LinkCustomerRequest) -> Customer:
        if not request.user_id.strip() or len(request.user_id) > 255:
            raise InvalidRequest("user id must be 1 to 255 characters", field="user_id")
        if not _CUSTOMER_ID.fullmatch(request.stripe_customer_id):
            raise InvalidRequest(
                f"{request.stripe_customer_id!r} is not a Stripe customer id (cus_...)",
                field="customer_id",
            )
        if not _SEGMENT.fullmatch(request.segment):
            raise InvalidRequest(
                f"segment {request.segment!r} must be lower-case letters, digits, '_' or '-' "
                "(at most 64, starting with a letter)",
                field="segment",
            )
        if self._known_segments and request.segment not in self._known_segments:
            known = ", ".join(sorted(self._known_segments))
            raise InvalidRequest(
                f"unknown segment {request.segment!r}; use one of: {known}", field="segment"
            )
        if request.email is not None and not _EMAIL.fullmatch(request.email):
            raise InvalidRequest(f"{request.email!r} is not an email address", field="email")
        customer = Customer(
            user_id=request.user_id,
            stripe_customer_id=request.stripe_customer_id,
            segment=request.segment,
            email=request.email,
        )
        existing = await self._customers.get_by_stripe_customer_id(request.stripe_customer_id)
        if existing is not None and existing.user_id != request.user_id:
            raise InvalidRequest(
                f"{request.stripe_customer_id} is already linked to user {existing.user_id!r}",
                field="customer_id",
            )
        await self._customers.save(customer)
        await self._transaction.commit()
        return customer
