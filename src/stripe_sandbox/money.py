"""Formatting amounts in the smallest currency unit for people ("$20.00")."""

from __future__ import annotations

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}
_ZERO_DECIMAL = {"jpy", "krw", "vnd", "clp", "isk", "huf", "twd", "ugx"}


def format_amount(amount: int, currency: str) -> str:
    """``format_amount(2000, "usd") == "$20.00"``; negative amounts get a leading minus."""
    currency = currency.lower()
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    number = f"{value:,}" if currency in _ZERO_DECIMAL else f"{value / 100:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"
