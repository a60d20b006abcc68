"""Use case: open the billing portal for a signed-in user, or say where to send them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from application.errors import (
    ApplicationError,
    ConfigurationNotApplied,
    InvalidRequest,
    NoBillingAccount,
    ProviderUnavailable,
    RateLimited,
)
from application.ports.access_audit import PortalAccessAudit, PortalAccessRecord
from application.ports.billing_provider import BillingProvider, PortalSessionRequest
from application.ports.clock import Clock
from application.ports.configuration_mappings import ConfigurationMappings
from application.ports.customer_directory import CustomerDirectory
from application.ports.portal_catalog import PortalCatalog
from application.ports.rate_limiter import RateLimiter
from application.ports.subscription_source import SubscriptionSource
from application.ports.transaction_manager import TransactionManager
from domain.capabilities import ConfigurationCapabilities
from domain.errors import DomainError, FlowNotAllowed
from domain.locale import check_locale
from domain.portal_decision import OpenPortal, PortalDecision, Redirect
from domain.portal_flow import FlowRequest, PortalFlow, resolve_flow
from domain.portal_policy import PortalPolicy, decide_portal_access
from domain.return_url import ReturnUrlPolicy, build_return_url, redirect_url
from domain.subscription import Subscription

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PortalAccessSettings:
    policy: PortalPolicy
    return_urls: ReturnUrlPolicy
    rate_limit: int = 10
    rate_window_seconds: int = 60
    # The longest one attempt waits on the billing provider, all its tries together
    # (reading subscriptions when the mirror has none, creating the session).
    provider_deadline_seconds: float = 15.0


@dataclass(frozen=True, slots=True)
class OpenPortalRequest:
    user_id: str
    return_path: str | None = None
    flow: FlowRequest | None = None
    locale: str | None = None
    request_id: str | None = None
    client_address: str | None = None
    user_agent: str | None = None
    channel: str = "api"
    rate_limited: bool = True


@dataclass(slots=True)
class _Attempt:
    """What is known so far about one attempt, so a refusal is audited with all of it."""

    record: PortalAccessRecord
    # One budget for every provider call of the attempt, from its start (loop time).
    provider_deadline: float


@dataclass(frozen=True, slots=True)
class OpenPortalResult:
    """Either ``url`` (the portal opens) or ``redirect_to`` (send the user there)."""

    decision: PortalDecision
    url: str | None = None
    redirect_to: str | None = None
    configuration: str | None = None
    flow: PortalFlow | None = None


class OpenBillingPortal:
    """Decide by the portal policy and, when it says so, create a hosted portal session.

    The Stripe customer id always comes from our database. Every attempt, refused ones
    included, is audited and committed. Raises ``NoBillingAccount``, ``InvalidRequest``,
    ``RateLimited``, ``ConfigurationNotApplied`` and the provider errors.

    Subscriptions are read from ``subscriptions`` (the service passes
    ``SubscriptionReader``: the mirror first, the provider when it has nothing).
    """

    def __init__(
        self,
        customers: CustomerDirectory,
        subscriptions: SubscriptionSource,
        provider: BillingProvider,
        mappings: ConfigurationMappings,
        catalog: PortalCatalog,
        audit: PortalAccessAudit,
        limiter: RateLimiter,
        clock: Clock,
        transaction: TransactionManager,
        settings: PortalAccessSettings,
    ) -> None:
        self._customers = customers
        self._subscriptions = subscriptions
        self._provider = provider
        self._mappings = mappings
        self._catalog = catalog
        self._audit = audit
        self._limiter = limiter
        self._clock = clock
        self._transaction = transaction
        self._settings = settings

    async def execute(self, request: OpenPortalRequest) -> OpenPortalResult:
        now = self._clock.now()
        base = PortalAccessRecord(
            user_id=request.user_id,
            occurred_at=now,
            outcome="refused",
            decision="",
            request_id=request.request_id,
            client_address=request.client_address,
            user_agent=request.user_agent,
            channel=request.channel,
            flow=request.flow.type.value if request.flow else None,
        )
        deadline = asyncio.get_running_loop().time() + self._settings.provider_deadline_seconds
        attempt = _Attempt(base, deadline)
        try:
            result = await self._decide_and_open(request, attempt)
        except (ApplicationError, DomainError) as error:
            await self._record_refusal(attempt.record, error)
            if isinstance(error, DomainError):
                raise InvalidRequest(error.message, field=error.field) from error
            raise
        return result  # committed with its audit row

    async def _record_refusal(self, base: PortalAccessRecord, error: Exception) -> None:
        await self._transaction.rollback()
        decision = getattr(error, "audit_decision", type(error).__name__)
        await self._audit.record_and_commit(replace(base, decision=decision), self._transaction)

    async def _decide_and_open(
        self, request: OpenPortalRequest, attempt: _Attempt
    ) -> OpenPortalResult:
        settings, base = self._settings, attempt.record
        if request.rate_limited:
            verdict = await self._limiter.hit(
                f"portal:{request.user_id}",
                limit=settings.rate_limit,
                window_seconds=settings.rate_window_seconds,
                now=base.occurred_at,
            )
            if not verdict.allowed:
                raise RateLimited(
                    f"too many portal requests for this user; retry in {verdict.retry_after_seconds} s",
                    retry_after_seconds=verdict.retry_after_seconds,
                )
        locale = check_locale(request.locale)
        customer = await self._customers.get(request.user_id)
        if customer is not None:
            attempt.record = replace(attempt.record, segment=customer.segment)
        # An empty id is no account either: never ask the provider about customer "".
        if customer is None or not customer.stripe_customer_id:
            raise NoBillingAccount(f"user {request.user_id!r} has no billing account linked")
        base = attempt.record = replace(
            attempt.record, stripe_customer_id=customer.stripe_customer_id
        )
        subs = await self._within_deadline(
            attempt,
            self._subscriptions.list_subscriptions(customer.stripe_customer_id),
            "reading the customer's subscriptions",
        )
        decision = decide_portal_access(settings.policy, customer, subs, base.occurred_at)
        if isinstance(decision, Redirect):
            target = self._redirect_target(decision.redirect_to)
            await self._audit.record_and_commit(
                replace(base, outcome="redirect", decision=decision.reason.value),
                self._transaction,
            )
            return OpenPortalResult(decision, redirect_to=target)
        if not isinstance(decision, OpenPortal):
            raise NoBillingAccount(decision.explanation)
        base = attempt.record = replace(base, configuration=decision.configuration)
        capabilities = self._capabilities(decision.configuration)
        flow = self._flow(request, decision, subs, capabilities)
        return_url = build_return_url(
            settings.return_urls, request.return_path, decision.return_markers
        )
        mapping = await self._mappings.get(decision.configuration)
        if mapping is None or not mapping.active:
            raise ConfigurationNotApplied(decision.configuration)
        # End the reads' transaction before the provider call: a pooled connection held
        # across the provider's latency would cap every route at pool size / latency.
        await self._transaction.commit()
        session = await self._within_deadline(
            attempt,
            self._provider.create_portal_session(
                PortalSessionRequest(
                    customer_id=customer.stripe_customer_id,
                    configuration_id=mapping.provider_id,
                    return_url=return_url,
                    flow=flow,
                    locale=locale,
                )
            ),
            "creating the portal session",
        )
        await self._audit.record_and_commit(
            replace(
                base,
                outcome="portal",
                decision=decision.reason.value,
                configuration=decision.configuration,
                flow=flow.type.value if flow else None,
                portal_session_id=session.id,
            ),
            self._transaction,
        )
        return OpenPortalResult(
            decision, url=session.url, configuration=decision.configuration, flow=flow
        )

    async def _within_deadline(self, attempt: _Attempt, call: Awaitable[_T], action: str) -> _T:
        """``call``, given up when the attempt's provider budget runs out (a Stripe that
        hangs would otherwise hold the user for every try's timeout in turn). A session
        Stripe may still create for an abandoned call is never handed out and expires on
        its own."""
        budget = asyncio.timeout_at(attempt.provider_deadline)
        try:
            async with budget:
                return await call
        except TimeoutError:
            if not budget.expired():
                raise  # the call's own timeout, mapped by the adapter
            seconds = self._settings.provider_deadline_seconds
            raise ProviderUnavailable(
                f"the billing provider did not answer within {seconds:g} s while {action}; "
                "try again shortly"
            ) from None

    def _redirect_target(self, redirect_to: str) -> str:
        return redirect_url(self._settings.return_urls.app_base_url, redirect_to)

    def _capabilities(self, name: str) -> ConfigurationCapabilities:
        capabilities = self._catalog.capabilities(name)
        if capabilities is None:
            raise ConfigurationNotApplied(name, declared=False)
        return capabilities

    @staticmethod
    def _flow(
        request: OpenPortalRequest,
        decision: OpenPortal,
        subs: Sequence[Subscription],
        capabilities: ConfigurationCapabilities,
    ) -> PortalFlow | None:
        if request.flow is not None:
            return resolve_flow(request.flow, subs, capabilities, decision.configuration)
        if decision.default_flow is None:
            return None
        try:
            return resolve_flow(
                FlowRequest(decision.default_flow), subs, capabilities, decision.configuration
            )
        except FlowNotAllowed:
            # The policy's suggestion, not the caller's request: if the configuration cannot
            # deep-link there, open the portal's home page rather than refuse the user.
            return None
