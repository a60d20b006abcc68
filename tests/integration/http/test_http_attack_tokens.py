"""Forged bearer tokens on every user route, and one user reaching for another's billing.

The rows of ``test_http_authentication`` (missing header, expired, wrong iss/aud, wrong
secret, ``alg=none``, RS256 on an HS256 service, no ``exp``, no ``sub``) are not repeated.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
import uuid
from typing import Any

import pytest
from billing_builders import a_subscription
from jwt_tokens import AUDIENCE, HS256, HS_SECRET, ISSUER, RSA_PUBLIC_PEM
from mirror_seeding import an_invoice, mirrored, seed_mirror
from portal_harness import Portal, PortalFactory
from tests.fakes import FakeBillingProvider

USER_ROUTES = [
    pytest.param("GET", "/api/billing/summary", id="summary"),
    pytest.param("GET", "/api/billing/invoices", id="invoices"),
    pytest.param("POST", "/api/billing/portal-sessions", id="portal-sessions"),
]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def handmade(
    header: dict[str, Any], claims: dict[str, Any], key: bytes | None, digest: str = "sha256"
) -> str:
    """A JWT built by hand, for headers and keys PyJWT itself refuses to produce."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    mac = b"" if key is None else hmac.new(key, signing_input.encode(), digest).digest()
    return f"{signing_input}.{_b64(mac)}"


def claims(sub: str = "user_1", **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300, "sub": sub, **changes}


IN_TEN_MINUTES = int(time.time()) + 600
FORGED = [
    pytest.param(HS256.token("u1", nbf=IN_TEN_MINUTES), "not valid yet", id="nbf-in-the-future"),
    pytest.param(HS256.token("u1", iat=IN_TEN_MINUTES), "not valid yet", id="iat-in-the-future"),
    pytest.param(
        handmade({"alg": "HS512"}, claims(), HS_SECRET.encode(), "sha512"),
        "algorithm",
        id="hs512-with-the-right-secret",
    ),
    pytest.param(handmade({"alg": "none"}, claims(), None), "algorithm", id="alg-none-by-hand"),
    pytest.param(handmade({"alg": "NONE"}, claims(), None), "algorithm", id="alg-NONE"),
    pytest.param(
        handmade({"alg": "HS256", "typ": "JWT"}, claims(), b""), "signature", id="empty-key"
    ),
    pytest.param(HS256.token("u1", drop=("iss",)), "claim", id="no-iss"),
    pytest.param(HS256.token("u1", drop=("aud",)), "claim", id="no-aud"),
    pytest.param(HS256.token("u1", aud=["another-service"]), "audience", id="aud-list-without-us"),
    pytest.param(HS256.token("u1", exp="tomorrow"), "", id="exp-not-a-number"),
    pytest.param(HS256.token("", drop=()), "'sub' claim", id="sub-empty"),
    pytest.param(HS256.token("   "), "'sub' claim", id="sub-blank"),
    pytest.param(handmade({"alg": "HS256"}, claims(sub=42), HS_SECRET.encode()), "", id="sub-int"),
    pytest.param("a" * 10_000, "malformed", id="10k-chars-of-garbage"),
    pytest.param("a.b", "malformed", id="two-segments"),
    pytest.param("...", "malformed", id="three-empty-segments"),
    pytest.param(f"{_b64(b'not json')}.{_b64(b'{}')}.x", "malformed", id="header-not-json"),
    pytest.param(HS256.token("u1") + "x", "", id="signature-with-a-byte-more"),
    pytest.param(HS256.token("u1")[:-4], "", id="truncated-signature"),
]


def assert_401(response: Any, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"].endswith("not-authenticated")
    assert reason in response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), USER_ROUTES)
@pytest.mark.parametrize(("token", "reason"), FORGED)
async def test_a_forged_token_is_a_401_on_every_user_route(
    portal: Portal, billing: FakeBillingProvider, method: str, path: str, token: str, reason: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    response = await portal.client.request(method, path, headers=headers)

    assert_401(response, reason)
    assert billing.session_requests == []


async def test_hs256_signed_with_the_rs256_public_key_is_refused(
    make_portal: PortalFactory, billing: FakeBillingProvider
) -> None:
    """Algorithm confusion: the public key is public, so it must never verify an HMAC."""
    confused = handmade({"alg": "HS256", "typ": "JWT"}, claims(), RSA_PUBLIC_PEM.encode())
    pinned = {"PORTAL_JWT_ALGORITHM": "RS256", "PORTAL_JWT_PUBLIC_KEY": RSA_PUBLIC_PEM}
    async with make_portal(apply=False, **pinned) as portal:
        responses = [
            await portal.client.request(
                method, path, headers={"Authorization": f"Bearer {confused}"}
            )
            for method, path in (
                ("GET", "/api/billing/summary"),
                ("POST", "/api/billing/portal-sessions"),
            )
        ]

    for response in responses:
        assert_401(response, "algorithm")
    assert billing.session_requests == []


def ids() -> tuple[str, str]:
    token = uuid.uuid4().hex[:10]
    return f"user_{token}", f"cus_{token}"


async def two_customers(portal: Portal, billing: FakeBillingProvider) -> tuple[str, str, str, str]:
    """Users A and B, each linked, each with a subscription and three invoices mirrored."""
    (a, cus_a), (b, cus_b) = ids(), ids()
    records: list[Any] = []
    for user, customer in ((a, cus_a), (b, cus_b)):
        await portal.link(user, customer)
        subscription = a_subscription(customer)
        billing.subscriptions[customer] = [subscription]
        records += [mirrored(subscription), *(an_invoice(customer, n) for n in range(3))]
    await seed_mirror(portal.settings, billing, records)
    return a, cus_a, b, cus_b


async def test_no_parameter_lets_a_user_read_another_users_billing(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    a, cus_a, b, cus_b = await two_customers(portal, billing)
    as_a, as_b = HS256.headers(a), HS256.headers(b)
    b_page = await portal.client.get("/api/billing/invoices", params={"limit": 1}, headers=as_b)
    b_cursor = b_page.json()["next_cursor"]

    reads = [
        await portal.client.get("/api/billing/summary", params=params, headers=as_a)
        for params in ({"customer_id": cus_b}, {"user_id": b}, {"customer": cus_b})
    ] + [
        await portal.client.get("/api/billing/invoices", params=params, headers=as_a)
        for params in ({"customer_id": cus_b}, {"user_id": b}, {"cursor": b_cursor, "limit": 5})
    ]

    assert b_cursor
    for response in reads:
        assert response.status_code == 200, response.text
        assert cus_b not in response.text
    assert {read.json()["user_id"] for read in reads[:3]} == {a}
    listed = [invoice["id"] for read in reads[3:] for invoice in read.json()["data"]]
    assert listed
    assert all(invoice.startswith(f"in_{cus_a}_") for invoice in listed)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"customer_id": "{cus_b}"}, id="customer-id-in-the-body"),
        pytest.param({"user_id": "{b}"}, id="user-id-in-the-body"),
        pytest.param({"flow": {"type": "subscription_cancel", "subscription_id": "{sub_b}"}},
                     id="cancel-flow-on-b-s-subscription"),
        pytest.param({"flow": {"type": "subscription_update", "subscription_id": "{sub_b}"}},
                     id="update-flow-on-b-s-subscription"),
    ],
)  # fmt: skip
async def test_a_portal_session_never_opens_on_another_users_customer(
    portal: Portal, billing: FakeBillingProvider, body: dict[str, Any]
) -> None:
    a, cus_a, b, cus_b = await two_customers(portal, billing)
    sub_b = billing.subscriptions[cus_b][0].id
    filled = json.loads(
        json.dumps(body).replace("{cus_b}", cus_b).replace("{b}", b).replace("{sub_b}", sub_b)
    )

    response = await portal.client.post(
        "/api/billing/portal-sessions", json=filled, headers=HS256.headers(a)
    )

    assert 400 <= response.status_code < 500, response.text
    assert all(request.customer_id == cus_a for request in billing.session_requests)
    assert cus_b not in response.text
