"""Stripe's test cards: which numbers succeed, which are declined, which fail later.

``ok`` cards attach and charge; ``charge_fails`` cards attach but every charge is declined
(4000 0000 0000 0341); ``attach_declined`` cards are refused as soon as they are attached to
a customer (4000 0000 0000 0002). ``pm_card_*`` tokens stand for the matching numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class TestCard:
    brand: str
    outcome: str  # "ok" | "charge_fails" | "attach_declined"
    decline_code: str = "generic_decline"
    funding: str = "credit"


TEST_CARDS = {
    "4242424242424242": TestCard("visa", "ok"),
    "4000056655665556": TestCard("visa", "ok", funding="debit"),
    "5555555555554444": TestCard("mastercard", "ok"),
    "378282246310005": TestCard("amex", "ok"),
    "4000000000000002": TestCard("visa", "attach_declined"),
    "4000000000009995": TestCard("visa", "attach_declined", "insufficient_funds"),
    "4000000000000341": TestCard("visa", "charge_fails"),
}

TOKENS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_debit": "4000056655665556",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_amex": "378282246310005",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeCustomerFail": "4000000000000341",
}

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}


def luhn_valid(number: str) -> bool:
    """The Luhn checksum every real card number satisfies."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def fingerprint(number: str) -> str:
    """A stable, non-reversible identifier for a card number."""
    return hashlib.sha256(f"sandbox:{number}".encode()).hexdigest()[:16]
