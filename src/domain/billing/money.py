"""Amounts as people read them (Stripe gives the currency's minor unit)."""

from __future__ import annotations

# Currencies Stripe treats as having no minor unit.
ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)


def format_amount(minor_units: int, currency: str) -> str:
    """``1999, "usd"`` -> ``"19.99 USD"``; ``500, "jpy"`` -> ``"500 JPY"``."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return f"{minor_units:,} {code.upper()}"
    sign = "-" if minor_units < 0 else ""
    whole, cents = divmod(abs(minor_units), 100)
    return f"{sign}{whole:,}.{cents:02d} {code.upper()}"
