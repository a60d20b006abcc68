"""The ONE map from application errors to RFC 9457 problem details."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
import structlog
from litestar.exceptions import HTTPException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException

from application.errors import (
    ApiKeyNotFound,
    ApplicationError,
    BillingAccountGone,
    CatalogInvalid,
    ConfigurationNotApplied,
    EventNotFound,
    InvalidEvent,
    InvalidRequest,
    InvalidWebhook,
    LinkConflict,
    MailDeliveryFailed,
    NoBillingAccount,
    NotAuthenticated,
    PersistenceUnavailable,
    ProviderMisconfigured,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    UserNotFound,
)
from application.operations.errors import SchemaNotCurrent
from entrypoints.http.validation import describe_validation_error
from entrypoints.http.web import CsrfRejected, SignedInAsSomeoneElse

PROBLEM_TYPE_PREFIX = "urn:billing-portal:problem:"
DATABASE_UNAVAILABLE = "the database is unavailable; try again later"
_DOCUMENT_ENCODER = msgspec.json.Encoder()
log = structlog.get_logger("entrypoints.http")

# error -> (status, type slug, title); the most specific class wins (looked up by MRO).
PROBLEMS: dict[type[ApplicationError], tuple[int, str, str]] = {
    NotAuthenticated: (401, "not-authenticated", "Not authenticated"),
    CsrfRejected: (403, "csrf-rejected", "CSRF check failed"),
    SignedInAsSomeoneElse: (409, "signed-in-as-someone-else", "Signed in to another account"),
    InvalidWebhook: (400, "invalid-webhook", "Webhook refused"),
    InvalidEvent: (400, "invalid-webhook", "Webhook refused"),
    EventNotFound: (404, "event-not-found", "Event not found"),
    NoBillingAccount: (404, "no-billing-account", "No billing account"),
    BillingAccountGone: (404, "billing-account-gone", "Billing account no longer exists"),
    UserNotFound: (404, "user-not-found", "User not found"),
    ApiKeyNotFound: (404, "api-key-not-found", "API key not found"),
    LinkConflict: (409, "link-conflict", "Link conflict"),
    InvalidRequest: (422, "invalid-request", "Invalid request"),
    ProviderRejected: (422, "provider-rejected", "Rejected by the billing provider"),
    RateLimited: (429, "rate-limited", "Too many requests"),
    ConfigurationNotApplied: (503, "configuration-not-applied", "Portal configuration not applied"),
    ProviderUnavailable: (503, "provider-unavailable", "Billing provider unavailable"),
    ProviderMisconfigured: (503, "provider-misconfigured", "Billing provider misconfigured"),
    PersistenceUnavailable: (503, "persistence-unavailable", "Database unavailable"),
    SchemaNotCurrent: (503, "schema-not-current", "Database schema behind the code"),
    CatalogInvalid: (503, "catalog-invalid", "Portal configuration catalog invalid"),
    MailDeliveryFailed: (503, "mail-unavailable", "Mail server unavailable"),
    ApplicationError: (500, "internal-error", "Internal server error"),
}


def _extra_and_headers(error: ApplicationError) -> tuple[dict[str, Any], dict[str, str]]:
    if isinstance(error, NotAuthenticated):
        return {}, {"WWW-Authenticate": 'Bearer realm="billing-portal"'}
    if isinstance(error, RateLimited):
        seconds = max(1, error.retry_after_seconds)
        return {"retry_after_seconds": seconds}, {"Retry-After": str(seconds)}
    if isinstance(error, ProviderUnavailable) and error.retry_after_seconds:
        seconds = error.retry_after_seconds  # Stripe is rate limiting us
        return {"retry_after_seconds": seconds}, {"Retry-After": str(seconds)}
    if isinstance(error, InvalidRequest) and error.field:
        return {"field": error.field}, {}
    if isinstance(error, ProviderRejected) and error.param:
        return {"field": error.param}, {}
    if isinstance(error, SignedInAsSomeoneElse):
        (user, email), (wanted, wanted_email) = error.signed_in, error.requested
        return {
            "signed_in_user_id": user,
            "signed_in_email": email,
            "requested_user_id": wanted,
            "requested_email": wanted_email,
        }, {}
    if isinstance(error, ConfigurationNotApplied):
        return {"configuration": error.name, "command": "billing-portal configs apply"}, {}
    return {}, {}


def _public_detail(error: ApplicationError) -> str:
    if isinstance(error, PersistenceUnavailable):
        # A driver's message can name the database host, user or schema: the operator
        # reads it in the log (request id bound), the caller only learns to retry.
        log.warning("http.database.unavailable", reason=error.message)
        return DATABASE_UNAVAILABLE
    return error.message


def application_problem(error: ApplicationError) -> ProblemDetailsException:
    kind = next(k for k in type(error).__mro__ if k in PROBLEMS)
    status, slug, title = PROBLEMS[kind]
    extra, headers = _extra_and_headers(error)
    return ProblemDetailsException(
        status_code=status,
        type_=PROBLEM_TYPE_PREFIX + slug,
        title=title,
        detail=_public_detail(error),
        extra=extra or None,
        headers=headers or None,
    )


def http_problem(error: HTTPException) -> ProblemDetailsException:
    """Litestar's own errors; a 400 from body parsing or validation becomes a 422."""
    if error.status_code == 400:
        detail, errors = describe_validation_error(error)
        return ProblemDetailsException(
            status_code=422,
            type_=PROBLEM_TYPE_PREFIX + "invalid-request",
            title="Invalid request",
            detail=detail,
            extra={"errors": errors} if errors else None,
        )
    if error.status_code == 413:
        return ProblemDetailsException(
            status_code=413,
            type_=PROBLEM_TYPE_PREFIX + "body-too-large",
            title="Request body too large",
            detail="the request body is larger than this endpoint accepts",
        )
    return ProblemDetailsException(
        status_code=error.status_code,
        type_=PROBLEM_TYPE_PREFIX + f"http-{error.status_code}",
        title=error.detail,
        headers=error.headers,
    )


def internal_problem(error: Exception) -> ProblemDetailsException:
    """Anything unexpected: logged in full, answered without internals."""
    log.error("http.request.failed", exc_info=error)
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return ProblemDetailsException(
        status_code=500,
        type_=PROBLEM_TYPE_PREFIX + "internal-error",
        title="Internal server error",
        detail="an unexpected error occurred; quote the request id when reporting it",
        extra={"request_id": request_id} if request_id else None,
    )


def problem_details_config() -> ProblemDetailsConfig:
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        ApplicationError: application_problem,
        HTTPException: http_problem,
        Exception: internal_problem,
    }
    return ProblemDetailsConfig(exception_to_problem_detail_map=mapping)


def problem_document(problem: ProblemDetailsException) -> bytes:
    """``problem`` as the JSON body Litestar's ProblemDetailsPlugin writes, for the routes
    served as plain ASGI in front of it (webhooks, the billing fast path)."""
    details: dict[str, Any] = {"status": problem.status_code}
    if problem.type_ is not None:
        details["type"] = problem.type_
    if problem.title is not None:
        details["title"] = problem.title
    if problem.instance is not None:
        details["instance"] = problem.instance
    if problem.detail is not None:
        details["detail"] = problem.detail
    if extra := problem.extra:
        if isinstance(extra, Mapping):
            details.update(extra)
        else:
            details["extra"] = extra
    return _DOCUMENT_ENCODER.encode(details)
