"""Bearer JWTs: the pinned algorithm and key, iss/aud/exp/sub checked, precise 401s."""

from __future__ import annotations

import time
import uuid

import pytest
from billing_builders import a_subscription
from jwt_tokens import (
    EC_PUBLIC_PEM,
    ES256,
    HS256,
    RS256,
    RSA_PUBLIC_PEM,
    TokenIssuer,
    unsigned_token,
)
from portal_harness import Portal, PortalFactory
from tests.fakes import FakeBillingProvider

URL = "/api/billing/portal-sessions"
WRONG_SECRET = TokenIssuer(key="another-secret-that-is-also-32-bytes-long!!")


def new_user() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return f"user_{token}", f"cus_{token}"


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing Authorization header"),
        ("Basic dXNlcjpwYXNz", "must be 'Bearer <JWT>'"),
        ("Bearer not.a.jwt", "malformed"),
        (f"Bearer {HS256.token('u1', exp=int(time.time()) - 120)}", "expired"),
        (f"Bearer {HS256.token('u1', aud='another-service')}", "another audience"),
        (f"Bearer {HS256.token('u1', iss='https://evil.example')}", "another issuer"),
        (f"Bearer {WRONG_SECRET.token('u1')}", "signature does not verify"),
        (f"Bearer {unsigned_token('u1')}", "algorithm is not the one"),
        (f"Bearer {RS256.token('u1')}", "algorithm is not the one"),
        (f"Bearer {HS256.token('u1', drop=('exp',))}", "'exp' claim"),
        (f"Bearer {HS256.token(None)}", "'sub' claim"),
    ],
)
async def test_a_request_without_a_valid_token_is_refused_with_the_reason(
    portal: Portal, authorization: str | None, reason: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    # Even a bad body gets the 401 first: authentication runs before the body is read.
    response = await portal.client.post(URL, headers=headers, content=b"{not json")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["type"].endswith("not-authenticated")
    assert reason in problem["detail"]


async def test_an_hs256_token_is_refused_when_rs256_is_pinned(
    make_portal: PortalFactory,
) -> None:
    async with make_portal(
        apply=False, PORTAL_JWT_ALGORITHM="RS256", PORTAL_JWT_PUBLIC_KEY=RSA_PUBLIC_PEM
    ) as portal:
        response = await portal.client.post(URL, headers=HS256.headers("u1"))

    assert response.status_code == 401
    assert "algorithm" in response.json()["detail"]


@pytest.mark.parametrize(
    ("issuer", "algorithm", "public_key"),
    [(RS256, "RS256", RSA_PUBLIC_PEM), (ES256, "ES256", EC_PUBLIC_PEM)],
)
async def test_public_key_tokens_open_the_portal(
    make_portal: PortalFactory,
    billing: FakeBillingProvider,
    issuer: TokenIssuer,
    algorithm: str,
    public_key: str,
) -> None:
    user, customer = new_user()
    billing.subscriptions[customer] = [a_subscription(customer)]
    async with make_portal(
        PORTAL_JWT_ALGORITHM=algorithm, PORTAL_JWT_PUBLIC_KEY=public_key
    ) as portal:
        await portal.link(user, customer)
        response = await portal.client.post(URL, headers=issuer.headers(user))

    assert response.status_code == 201, response.text
    assert billing.session_requests[-1].customer_id == customer
