"""/api/server: the host app's servers link users and read billing status with an API key."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from billing_builders import a_subscription
from jwt_tokens import HS256
from mirror_seeding import seed_mirror, version
from portal_harness import Portal
from sqlalchemy import select
from tests.fakes import FakeBillingProvider

from adapters.persistence import create_engine
from adapters.persistence.tables import api_keys, customer_link_audit
from domain.billing.subscription import MirroredSubscription, PriceNaming

PROBLEM = "urn:billing-portal:problem:"


def ids() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return f"user_{token}", f"cus_{token}"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def audit_rows(portal: Portal, user_id: str) -> list[tuple[str, str, str | None, str | None]]:
    engine = create_engine(portal.settings.database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(customer_link_audit)
                .where(customer_link_audit.c.user_id == user_id)
                .order_by(customer_link_audit.c.id)
            )
            return [(r.action, r.actor, r.previous_customer_id, r.customer_id) for r in rows]
    finally:
        await engine.dispose()


async def test_link_relink_segment_unlink_round_trip_is_audited_by_key_id(portal: Portal) -> None:
    key_id, key = await portal.create_api_key()
    user, first = ids()
    second = first + "2"
    actor = f"api_key:{key_id}"
    c = portal.client

    linked = await c.post(
        "/api/server/links",
        json={"user_id": user, "customer_id": first, "segment": "b2c"},
        headers=bearer(key),
    )
    relinked = await c.put(
        f"/api/server/users/{user}/link", json={"customer_id": second}, headers=bearer(key)
    )
    segment = await c.put(
        f"/api/server/users/{user}/segment", json={"segment": "b2b"}, headers=bearer(key)
    )
    unlinked = await c.delete(f"/api/server/users/{user}/link", headers=bearer(key))
    after = await c.get(f"/api/server/users/{user}/billing", headers=bearer(key))

    assert linked.status_code == 200, linked.text
    assert linked.json() == {"user_id": user, "customer_id": first, "segment": "b2c", "email": None}
    assert (relinked.json()["customer_id"], relinked.json()["segment"]) == (second, "b2c")
    assert segment.json()["segment"] == "b2b"
    assert unlinked.status_code == 204
    assert after.json()["linked"] is False
    assert await audit_rows(portal, user) == [
        ("link", actor, None, first),
        ("relink", actor, first, second),
        ("segment", actor, second, second),
        ("unlink", actor, second, None),
    ]


async def test_conflicts_are_409_and_leave_the_links_alone(portal: Portal) -> None:
    _, key = await portal.create_api_key()
    owner, owned = ids()
    other, others = ids()
    await portal.link(owner, owned)
    await portal.link(other, others)

    taken = await portal.client.post(
        "/api/server/links",
        json={"user_id": other + "x", "customer_id": owned, "segment": "b2c"},
        headers=bearer(key),
    )
    elsewhere = await portal.client.post(
        "/api/server/links",
        json={"user_id": owner, "customer_id": "cus_brandnew1", "segment": "b2c"},
        headers=bearer(key),
    )
    relink_taken = await portal.client.put(
        f"/api/server/users/{owner}/link", json={"customer_id": others}, headers=bearer(key)
    )

    for response, field in (
        (taken, "customer_id"),
        (elsewhere, "user_id"),
        (relink_taken, "customer_id"),
    ):
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == PROBLEM + "link-conflict"
        assert response.json()["field"] == field
    status = await portal.client.get(f"/api/server/users/{owner}/billing", headers=bearer(key))
    assert status.json()["customer_id"] == owned


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "slug", "field"),
    [
        ("post", "/api/server/links", {"user_id": "u", "customer_id": "cust_1", "segment": "b2c"},
         422, "invalid-request", "customer_id"),
        ("post", "/api/server/links", {"user_id": "u", "customer_id": "cus_1", "segment": "gold"},
         422, "invalid-request", "segment"),
        ("post", "/api/server/links", {"user_id": "u"}, 422, "invalid-request", None),
        ("put", "/api/server/users/ghost/link", {"customer_id": "cus_1"},
         404, "user-not-found", None),
        ("put", "/api/server/users/ghost/segment", {"segment": "b2b"}, 404, "user-not-found", None),
        ("delete", "/api/server/users/ghost/link", None, 404, "user-not-found", None),
        ("get", "/api/server/users/u/billing?product=prod%20x", None, 422, "invalid-request", "product"),
    ],
)  # fmt: skip
async def test_bad_input_is_a_problem_naming_what_to_fix(
    portal: Portal,
    method: str,
    path: str,
    body: dict[str, str] | None,
    status: int,
    slug: str,
    field: str | None,
) -> None:
    _, key = await portal.create_api_key()
    kwargs = {"json": body} if body is not None else {}

    response = await getattr(portal.client, method)(path, headers=bearer(key), **kwargs)

    assert response.status_code == status, response.text
    assert response.json()["type"] == PROBLEM + slug
    assert response.json().get("field") == field


async def test_billing_status_answers_plan_status_and_entitlement_from_the_mirror(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    _, key = await portal.create_api_key()
    user, customer = ids()
    await portal.link(user, customer, segment="b2b")
    pro = a_subscription(customer, price_id="price_pro")
    named = MirroredSubscription(pro, version(), prices=(PriceNaming("price_pro", "Pro monthly"),))
    await seed_mirror(portal.settings, billing, [named])
    product = pro.items[0].product_id
    url = f"/api/server/users/{user}/billing"

    status = await portal.client.get(url, headers=bearer(key))
    yes = await portal.client.get(url, params={"product": product}, headers=bearer(key))
    no = await portal.client.get(url, params={"product": "prod_other"}, headers=bearer(key))

    body = status.json()
    assert status.status_code == 200, status.text
    assert (body["linked"], body["customer_id"], body["segment"]) == (True, customer, "b2b")
    assert (body["status"], body["plan"]) == ("active", "Pro monthly")
    assert body["active_products"] == [product]
    assert [s["id"] for s in body["subscriptions"]] == [pro.id]
    assert body["subscriptions"][0]["entitles"] is True
    assert body["entitled"] is None
    assert (yes.json()["product"], yes.json()["entitled"]) == (product, True)
    assert no.json()["entitled"] is False


async def test_a_user_jwt_a_wrong_key_and_a_revoked_key_get_401(portal: Portal) -> None:
    key_id, key = await portal.create_api_key("old")
    _, new_key = await portal.create_api_key("new")
    url = "/api/server/users/someone/billing"

    before = await portal.client.get(url, headers=bearer(key))
    await portal.revoke_api_key(key_id)
    revoked = await portal.client.get(url, headers=bearer(key))
    rotated = await portal.client.get(url, headers=bearer(new_key))
    user_token = await portal.client.get(url, headers=HS256.headers("someone"))
    guessed = await portal.client.get(url, headers=bearer("bpk_" + "a" * 43))
    missing = await portal.client.post("/api/server/links", json={"user_id": "u"})
    key_on_user_api = await portal.client.get("/api/billing/summary", headers=bearer(new_key))

    assert (before.status_code, rotated.status_code) == (200, 200)
    for response, words in (
        (revoked, "unknown or revoked"),
        (user_token, "not a user token"),
        (guessed, "unknown or revoked"),
        (missing, "missing Authorization header"),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["type"] == PROBLEM + "not-authenticated"
        assert words in response.json()["detail"]
        assert key not in response.text
    assert key_on_user_api.status_code == 401


async def test_keys_are_stored_only_as_sha256(portal: Portal) -> None:
    key_id, key = await portal.create_api_key()
    engine = create_engine(portal.settings.database_url)
    try:
        async with engine.connect() as connection:
            row = (await connection.execute(select(api_keys).where(api_keys.c.id == key_id))).one()
    finally:
        await engine.dispose()

    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(tuple(row))


async def test_openapi_lists_the_server_routes_with_their_own_security_scheme(
    portal: Portal,
) -> None:
    schema = (await portal.client.get("/schema/openapi.json")).json()

    scheme = schema["components"]["securitySchemes"]["server_api_key"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    expected = {
        ("/api/server/links", "post"),
        ("/api/server/users/{user_id}/link", "put"),
        ("/api/server/users/{user_id}/link", "delete"),
        ("/api/server/users/{user_id}/segment", "put"),
        ("/api/server/users/{user_id}/billing", "get"),
    }
    for path, method in expected:
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"server_api_key": []}], (path, method)
    assert schema["paths"]["/api/billing/summary"]["get"]["security"] == [{"bearer": []}]
