"""Reading the add-card form: number, expiry (``MM / YY``) and CVC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .context import PortalRefusal


def card_params(form: dict[str, Any], now: int) -> dict[str, str]:
    """``card[...]`` parameters for ``POST /v1/payment_methods``, checked like Stripe's form."""
    number = "".join(str(form.get("card_number", "")).split()).replace("-", "")
    if not number.isdigit() or not 12 <= len(number) <= 19:
        raise PortalRefusal("Your card number is incomplete.")
    month, year = _expiry(form)
    today = datetime.fromtimestamp(now, UTC)
    if not 1 <= month <= 12:
        raise PortalRefusal("Your card's expiration date is invalid.")
    if (year, month) < (today.year, today.month):
        raise PortalRefusal("Your card's expiration date is in the past.")
    cvc = str(form.get("cvc", "")).strip()
    if not cvc.isdigit() or not 3 <= len(cvc) <= 4:
        raise PortalRefusal("Your card's security code is incomplete.")
    return {"number": number, "exp_month": str(month), "exp_year": str(year), "cvc": cvc}


def _expiry(form: dict[str, Any]) -> tuple[int, int]:
    raw = str(form.get("expiry", "")).replace(" ", "")
    month, _, year = raw.partition("/")
    if not (month.isdigit() and year.isdigit()):
        raise PortalRefusal("Your card's expiration date is incomplete.")
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    return int(month), full_year
