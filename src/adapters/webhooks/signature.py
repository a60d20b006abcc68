"""Verify Stripe's ``Stripe-Signature`` header on the raw body, then parse the event.

Stripe signs ``f"{t}.{raw_body}"`` with HMAC-SHA256 under the endpoint's secret and sends
``t=<unix time>,v1=<hex>[,v1=<hex>...]``. During a secret rotation several secrets are valid
at once, and Stripe may send one ``v1`` per secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import datetime

import msgspec

from adapters.webhooks.verified_event import VerifiedEvent
from application.errors import InvalidWebhook

DEFAULT_TOLERANCE_SECONDS = 300
# Unix seconds in ASCII digits only: str.isdigit() also accepts "²" or "٣", and an
# unbounded run of digits overflows int() and float arithmetic.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class StripeSignatureVerifier:
    """``secrets``: every currently valid endpoint secret (empty ones are ignored; with none
    left nothing ever verifies). ``tolerance_seconds``: how far ``t`` may be from now."""

    def __init__(
        self, secrets: Sequence[str], *, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
    ) -> None:
        self._secrets = [s.encode() for s in secrets if s and s.strip()]
        # The HMAC state after each key is absorbed, computed once; each check copies it.
        self._keyed = [hmac.new(s, digestmod=hashlib.sha256) for s in self._secrets]
        self._tolerance = tolerance_seconds

    def verify(self, body: bytes, header: str | None, *, now: datetime) -> Mapping[str, object]:
        """The event (with the body as sent: a ``VerifiedEvent``), or ``InvalidWebhook``
        saying why it is refused."""
        if not self._secrets:
            raise InvalidWebhook("no webhook signing secret is configured; refusing every event")
        timestamp, signatures = _parse_header(header)
        if abs(now.timestamp() - timestamp) > self._tolerance:
            raise InvalidWebhook(
                f"signature timestamp is more than {self._tolerance} s away from now"
            )
        prefix = b"%d." % timestamp
        expected = []
        for keyed in self._keyed:
            mac = keyed.copy()
            mac.update(prefix)
            mac.update(body)
            expected.append(mac.hexdigest())
        # compare_digest refuses non-ASCII str; such a value can never be a hex digest anyway.
        given = [g for g in signatures if g.isascii()]
        if not any(hmac.compare_digest(e, g) for e in expected for g in given):
            raise InvalidWebhook("no v1 signature matches the body under any configured secret")
        return _parse_body(body)


def _parse_header(header: str | None) -> tuple[int, list[str]]:
    if not header or not header.strip():
        raise InvalidWebhook("the Stripe-Signature header is missing")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise InvalidWebhook("the Stripe-Signature header is malformed: expected key=value")
        if key == "t":
            if not _TIMESTAMP.fullmatch(value) or timestamp is not None:
                raise InvalidWebhook("the Stripe-Signature header has a malformed timestamp")
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None:
        raise InvalidWebhook("the Stripe-Signature header has no timestamp (t=...)")
    if not signatures:
        raise InvalidWebhook("the Stripe-Signature header has no v1 signature")
    return timestamp, signatures


_decode = msgspec.json.Decoder().decode


def _parse_body(body: bytes) -> VerifiedEvent:
    """msgspec is strict where ``json`` was told to be: no NaN or Infinity, no number out of
    a float's range (``1e999``) or an integer of thousands of digits, UTF-8 only (a lone
    surrogate escape too is refused), and nesting capped (about 1,000 levels). The body
    that passes is kept as it is, for the inbox to store."""
    try:
        event = _decode(body)
    except (msgspec.MsgspecError, UnicodeDecodeError) as error:
        raise InvalidWebhook("the signed body is not JSON") from error
    except RecursionError as error:
        raise InvalidWebhook("the signed body is nested too deeply to be a Stripe event") from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidWebhook("the signed body is not a Stripe event")
    return VerifiedEvent(body, event)


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """A valid header for ``body``, as Stripe would send it (tests and the sandbox)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"
