"""FAULT: Stripe refuses connections, fails (503), hangs or rate-limits us (429) while a user
opens the portal: the API answers a 503 problem within the configured time, leaves no
partial state, and opens the portal as soon as Stripe answers again.

"No partial state" here: no audit row claims a portal session (each failed attempt is
audited as refused, with the reason and no session id), no URL is handed out, and nothing
else the request touches changes. The attempt does take a rate-limit token, by design:
every attempt counts, which also damps a retry storm at a Stripe that is limiting us.

Stripe is a small real HTTP server on loopback (``stripe_adapter/fake_stripe.py``); the
real Stripe adapter, SDK and HTTP client talk to it with the configured timeout and retries.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from billing_builders import a_subscription
from jwt_tokens import HS256
from litestar.testing import AsyncTestClient
from mirror_seeding import mirrored, seed_mirror
from portal_harness import RATE_LIMIT, Portal, portal_settings
from sqlalchemy import select
from stripe_adapter.fake_stripe import FakeStripe
from stripe_adapter.stripe_objects import example, stripe_error
from tests.fakes import FakeBillingProvider, FakePortalConfigurationProvider, FakeStripeFamily

from adapters.persistence import create_engine
from adapters.persistence.tables import portal_access_audit
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from stripe_sandbox.testing import free_port

URL = "/api/billing/portal-sessions"
SESSIONS = "/v1/billing_portal/sessions"
TIMEOUT_SECONDS, RETRIES = 0.5, 1
# Each try may take the whole timeout; the SDK waits 0.5-1 s before its first retry.
WORST_CASE_SECONDS = (RETRIES + 1) * TIMEOUT_SECONDS + RETRIES * 1.0
GENEROUS_BOUND_SECONDS = WORST_CASE_SECONDS + 3.0  # a shared, busy machine
FAILED_ATTEMPTS = RATE_LIMIT - 1  # the next one, after recovery, is still within the limit
# Tries that reach Stripe per attempt: a 503 or a timeout is retried (same idempotency key);
# a 429 is not (retrying at once would only add to the load Stripe is shedding).
TRIES_PER_ATTEMPT = {"connection_refused": 0, "stripe_503": 1 + RETRIES,
                     "stripe_hangs": 1 + RETRIES, "stripe_429": 1}  # fmt: skip
FAULTS = list(TRIES_PER_ATTEMPT)


def break_stripe(fake: FakeStripe, fault: str) -> None:
    """What Stripe does to every try (the first and the SDK's retries) of each attempt."""
    tries = FAILED_ATTEMPTS * TRIES_PER_ATTEMPT[fault]
    if fault == "stripe_hangs":
        fake.stall("POST", SESSIONS, times=tries)
    elif fault == "stripe_503":
        for _ in range(tries):
            fake.reply("POST", SESSIONS, stripe_error("down", type="api_error"), status=503)
    elif fault == "stripe_429":
        limited = stripe_error("Too many requests", type="invalid_request_error",
                               code="rate_limit")  # fmt: skip
        for _ in range(tries):
            fake.reply("POST", SESSIONS, limited, status=429)


async def audit_rows(database_url: str, user_id: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(portal_access_audit).where(portal_access_audit.c.user_id == user_id)
            return list(
                (await connection.execute(query.order_by(portal_access_audit.c.id))).mappings()
            )
    finally:
        await engine.dispose()


async def subscribed_user(
    client: AsyncTestClient[Any],
    settings: Settings,
    billing: FakeBillingProvider,
    configurations: FakePortalConfigurationProvider,
) -> str:
    """The catalog applied and a new user linked to a customer whose subscription the
    mirror holds (so opening the portal asks Stripe only to create the session)."""
    user, customer = f"user_{uuid.uuid4().hex[:12]}", f"cus_{uuid.uuid4().hex[:12]}"
    portal = Portal(client, settings, billing, configurations)
    await portal.apply_catalog()
    await portal.link(user, customer)
    await seed_mirror(settings, billing, [mirrored(a_subscription(customer))])
    return user


@pytest.mark.parametrize("fault", FAULTS)
async def test_stripe_failing_answers_503_in_time_leaves_nothing_half_done_then_recovers(
    fault: str,
    postgres_url: str,
    billing: FakeBillingProvider,
    configurations: FakePortalConfigurationProvider,
) -> None:
    stripe_port = free_port()
    settings = portal_settings(
        postgres_url,
        STRIPE_API_BASE=f"http://127.0.0.1:{stripe_port}",
        STRIPE_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS),
        STRIPE_MAX_NETWORK_RETRIES=str(RETRIES),
    )
    # Only the configuration catalog is faked; portal sessions go through the real adapter.
    app = create_app(settings, FakeStripeFamily(configurations=configurations))
    # Refused: nothing listens on the port (a bound server would accept and hang instead).
    fake = FakeStripe(port=stripe_port) if fault != "connection_refused" else None
    if fake is not None:
        fake.start()
    try:
        async with AsyncTestClient(app, base_url="http://portal.test") as client:
            user = await subscribed_user(client, settings, billing, configurations)
            if fake is not None:
                break_stripe(fake, fault)
            elapsed = []
            for _ in range(FAILED_ATTEMPTS):
                started = time.monotonic()
                refused = await client.post(URL, headers=HS256.headers(user))
                elapsed.append(time.monotonic() - started)
                assert refused.status_code == 503, refused.text
                assert refused.headers["content-type"].startswith("application/problem+json")
                assert refused.json()["type"] == "urn:billing-portal:problem:provider-unavailable"
                assert "url" not in refused.json()
                if fault == "stripe_429":  # Stripe sheds load: the app is told when to retry
                    assert refused.headers["retry-after"] == "2"
                    assert refused.json()["retry_after_seconds"] == 2
                else:
                    assert "retry-after" not in refused.headers
            if fake is not None:
                fake.release_stalled()
            rows = await audit_rows(postgres_url, user)
            assert [(r["outcome"], r["decision"], r["portal_session_id"]) for r in rows] == [
                ("refused", "ProviderUnavailable", None)
            ] * FAILED_ATTEMPTS

            tries = list(fake.requests) if fake is not None else []
            if fake is None:
                fake = FakeStripe(port=stripe_port)
                fake.start()
            fake.reset()
            session = example("billing_portal.session", id="bps_after_the_fault",
                              url="https://billing.stripe.test/p/session_after")  # fmt: skip
            fake.reply("POST", SESSIONS, session)
            opened = await client.post(URL, headers=HS256.headers(user))
    finally:
        if fake is not None:
            fake.stop()

    assert max(elapsed) < GENEROUS_BOUND_SECONDS, elapsed
    assert len(tries) == FAILED_ATTEMPTS * TRIES_PER_ATTEMPT[fault]
    keys = {t.headers["idempotency-key"] for t in tries}
    assert len(keys) == (FAILED_ATTEMPTS if tries else 0), "a retry reuses its attempt's key"
    assert opened.status_code == 201, opened.text
    assert opened.json()["url"] == "https://billing.stripe.test/p/session_after"
    last = (await audit_rows(postgres_url, user))[-1]
    assert (last["outcome"], last["portal_session_id"]) == ("portal", "bps_after_the_fault")
    print(
        f"\nfault.stripe.{fault}: attempts={FAILED_ATTEMPTS} tries_at_stripe={len(tries)} "
        f"slowest_503_s={max(elapsed):.2f} fastest_503_s={min(elapsed):.2f} "
        f"timeout_s={TIMEOUT_SECONDS} retries={RETRIES} bound_s={GENEROUS_BOUND_SECONDS:.1f}"
    )


async def test_a_hanging_stripe_holds_a_portal_request_no_longer_than_the_deadline(
    postgres_url: str,
    billing: FakeBillingProvider,
    configurations: FakePortalConfigurationProvider,
) -> None:
    """Each try may wait 3 s and there are 3 tries (about 10 s with the SDK's waits); the
    attempt's budget, STRIPE_PORTAL_DEADLINE_SECONDS=1, ends it after 1 s with a 503."""
    stripe_port = free_port()
    settings = portal_settings(
        postgres_url,
        STRIPE_API_BASE=f"http://127.0.0.1:{stripe_port}",
        STRIPE_TIMEOUT_SECONDS="3",
        STRIPE_MAX_NETWORK_RETRIES="2",
        STRIPE_PORTAL_DEADLINE_SECONDS="1",
    )
    app = create_app(settings, FakeStripeFamily(configurations=configurations))
    fake = FakeStripe(port=stripe_port)
    fake.start()
    try:
        async with AsyncTestClient(app, base_url="http://portal.test") as client:
            user = await subscribed_user(client, settings, billing, configurations)
            fake.stall("POST", SESSIONS, times=3)
            started = time.monotonic()
            refused = await client.post(URL, headers=HS256.headers(user))
            elapsed = time.monotonic() - started
            fake.release_stalled()
            rows = await audit_rows(postgres_url, user)
    finally:
        fake.stop()

    assert refused.status_code == 503, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:billing-portal:problem:provider-unavailable"
    assert "did not answer within 1 s while creating the portal session" in problem["detail"]
    assert 1.0 <= elapsed < 1.0 + 2.5, elapsed  # not 3 tries of 3 s
    assert len(fake.requests) == 1  # the first try was abandoned at the deadline
    assert [(r["outcome"], r["decision"], r["portal_session_id"]) for r in rows] == [
        ("refused", "ProviderUnavailable", None)
    ]
    print(f"\nfault.stripe.hangs_past_deadline: deadline_s=1 answered_503_in_s={elapsed:.2f}")
