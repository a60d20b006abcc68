"""Use case: the signed-in user's invoices, newest first, a page at a time."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from application.errors import InvalidRequest, NoBillingAccount
from application.ports.billing_mirror import BillingMirror, InvoiceCursor
from application.ports.customer_directory import CustomerDirectory
from domain.billing.invoice import MirroredInvoice

MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class InvoicePage:
    invoices: tuple[MirroredInvoice, ...]
    next_cursor: str | None  # opaque; pass it back to get the next page


def encode_cursor(invoice: MirroredInvoice) -> str:
    raw = f"{int(invoice.created.timestamp())}:{invoice.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# What encode_cursor writes: ASCII seconds (int() alone would also take "١٢" or "²") and a
# printable ASCII id (a NUL would reach the database as a query parameter and fail there).
_CURSOR = re.compile(r"(-?[0-9]{1,12}):([\x21-\x7e]{1,255})")


def decode_cursor(cursor: str) -> InvoiceCursor:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        match = _CURSOR.fullmatch(raw)
        if match is None:
            raise ValueError("not seconds:invoice_id")
        seconds, invoice_id = match.groups()
        return InvoiceCursor(datetime.fromtimestamp(int(seconds), UTC), invoice_id)
    except (ValueError, binascii.Error, OverflowError) as error:
        raise InvalidRequest("cursor is not one this API returned", field="cursor") from error


class ListInvoices:
    """Read-only, from the mirror. Raises ``NoBillingAccount`` or ``InvalidRequest``."""

    def __init__(self, customers: CustomerDirectory, mirror: BillingMirror) -> None:
        self._customers, self._mirror = customers, mirror

    async def execute(
        self, user_id: str, limit: int = 20, cursor: str | None = None
    ) -> InvoicePage:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidRequest(f"limit must be between 1 and {MAX_PAGE}", field="limit")
        link = await self._customers.get(user_id)
        if link is None or not link.stripe_customer_id:
            raise NoBillingAccount(f"user {user_id!r} has no billing account linked")
        after = decode_cursor(cursor) if cursor else None
        found = await self._mirror.list_invoices(
            link.stripe_customer_id, limit=limit + 1, after=after
        )
        page = tuple(found[:limit])
        more = len(found) > limit
        return InvoicePage(page, encode_cursor(page[-1]) if more and page else None)
