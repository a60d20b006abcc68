"""The one place where Stripe's exceptions become the application's own errors.

Nothing Stripe says about credentials is copied: its 401/403 texts quote the key (masked by
Stripe, perhaps not by a stand-in). Any other text we pass on is scrubbed of anything
shaped like a key first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import stripe

from application.errors import (
    BillingAccountGone,
    ProviderMisconfigured,
    ProviderRejected,
    ProviderUnavailable,
)

_KEY_SHAPED = re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z*]+|\bBearer\s+\S+", re.I)


def scrub(text: str | None) -> str:
    """``text`` with anything that looks like an API key replaced."""
    return _KEY_SHAPED.sub("[redacted]", text or "").strip()


def _said(e: stripe.StripeError) -> str:
    message = scrub(e.user_message) or "no message"
    return f"{message} (request {e.request_id})" if e.request_id else message


def _is_missing_customer(e: stripe.InvalidRequestError) -> bool:
    if e.code != "resource_missing":
        return False
    return e.param == "customer" or scrub(e.user_message).lower().startswith("no such customer")


def translate_stripe_error(
    e: stripe.StripeError, operation: str, resource: str
) -> BillingAccountGone | ProviderMisconfigured | ProviderRejected | ProviderUnavailable:
    """The application error for ``e``, raised while ``operation`` touched ``resource``."""
    if isinstance(e, stripe.AuthenticationError):
        return ProviderMisconfigured("the Stripe key was rejected: check STRIPE_SECRET_KEY")
    if isinstance(e, stripe.PermissionError):
        return ProviderMisconfigured(
            f"the Stripe key lacks a permission needed to {operation}: "
            f"give this restricted key access to {resource}"
        )
    if isinstance(e, stripe.RateLimitError):
        return ProviderUnavailable(
            f"Stripe is rate limiting us; could not {operation}",
            retry_after_seconds=_retry_after(e),
        )
    if isinstance(e, stripe.APIConnectionError):
        return ProviderUnavailable(
            f"could not reach Stripe to {operation}: network error or timeout"
        )
    if isinstance(e, stripe.InvalidRequestError):
        if _is_missing_customer(e):
            return BillingAccountGone(
                f"the linked Stripe customer no longer exists at Stripe: {_said(e)}"
            )
        return ProviderRejected(f"Stripe refused to {operation}: {_said(e)}", param=e.param)
    if isinstance(e, stripe.IdempotencyError):
        return ProviderRejected(
            f"Stripe refused to {operation}: the idempotency key was already used with "
            f"other parameters: {_said(e)}"
        )
    status = e.http_status
    if status is not None and 400 <= status < 500:
        return ProviderRejected(f"Stripe refused to {operation} (HTTP {status}): {_said(e)}")
    where = f"HTTP {status}" if status else "an invalid response"
    return ProviderUnavailable(f"Stripe failed with {where} when asked to {operation}: {_said(e)}")


@contextmanager
def stripe_errors(operation: str, *, resource: str) -> Iterator[None]:
    """Translate any ``stripe.StripeError`` raised inside; ``operation`` reads "list ...".

    ``resource`` names what the call touches (``subscriptions``, ``prices`` ...) so a missing
    permission says which one to grant.
    """
    try:
        yield
    except stripe.StripeError as e:
        raise translate_stripe_error(e, operation, resource) from e


# Stripe's 429 rarely says when to come back; its guidance is to back off and retry.
DEFAULT_RETRY_AFTER_SECONDS = 2
MAX_RETRY_AFTER_SECONDS = 60


def _retry_after(e: stripe.StripeError) -> int:
    """Seconds to wait before trying again: Stripe's ``Retry-After`` (whole seconds) when
    it sent one, bounded to 1..60, otherwise ``DEFAULT_RETRY_AFTER_SECONDS``."""
    said = (e.headers or {}).get("Retry-After") or (e.headers or {}).get("retry-after")
    try:
        seconds = int(str(said).strip()) if said is not None else DEFAULT_RETRY_AFTER_SECONDS
    except ValueError:  # an HTTP date, or garbage: the default
        seconds = DEFAULT_RETRY_AFTER_SECONDS
    return min(max(seconds, 1), MAX_RETRY_AFTER_SECONDS)
