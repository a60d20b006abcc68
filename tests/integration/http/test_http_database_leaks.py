"""A database failure answers a generic 503 problem; the driver's words (host, user,
database) go to the operator's log only, and no password goes anywhere."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from jwt_tokens import HS256
from portal_harness import PortalFactory
from structlog.testing import capture_logs
from webhook_signing import URL, WEBHOOK_ENV, event_body, signed_headers

from entrypoints.http.problems import DATABASE_UNAVAILABLE

ROLE, DATABASE, PASSWORD = "leaky_role_q7x", "leaky_db_q7x", "pw-leak-q7x"


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _requests(user: str) -> list[tuple[str, str, dict[str, Any]]]:
    body = event_body()
    return [
        ("GET", "/readyz", {}),
        ("POST", URL, {"content": body, "headers": signed_headers(body)}),
        ("POST", "/api/billing/portal-sessions", {"headers": HS256.headers(user)}),
        ("GET", "/api/billing/summary", {"headers": HS256.headers(user)}),
        ("GET", "/api/billing/invoices", {"headers": HS256.headers(user)}),
    ]


@pytest.mark.parametrize(
    "database_url",
    [
        # the server answers, naming the role that does not exist
        pytest.param(
            f"postgresql+asyncpg://{ROLE}:{PASSWORD}@127.0.0.1:5432/{DATABASE}", id="unknown-role"
        ),
        # nobody listens: the driver names the address it tried
        pytest.param(
            f"postgresql+asyncpg://{ROLE}:{PASSWORD}@127.0.0.1:{_closed_port()}/{DATABASE}",
            id="unreachable",
        ),
    ],
)
async def test_no_response_names_the_database_and_the_log_does_without_the_password(
    make_portal: PortalFactory, database_url: str
) -> None:
    async with make_portal(database_url=database_url, apply=False, **WEBHOOK_ENV) as portal:
        with capture_logs() as logs:  # inside: the app configures structlog as it starts
            responses = [
                await portal.client.request(method, path, **kwargs)
                for method, path, kwargs in _requests("user_leak")
            ]

    for response in responses:
        assert response.status_code == 503, (response.request.url, response.text)
        problem = response.json()
        assert problem["type"] == "urn:billing-portal:problem:persistence-unavailable"
        assert problem["detail"] == DATABASE_UNAVAILABLE
        for name in (ROLE, DATABASE, PASSWORD, "127.0.0.1", "asyncpg", "postgres"):
            assert name not in response.text, (response.request.url, name)
    reasons = [e["reason"] for e in logs if e["event"] == "http.database.unavailable"]
    assert len(reasons) == len(responses)
    assert all(ROLE in reason or "127.0.0.1" in reason for reason in reasons), reasons
    assert not any(PASSWORD in str(entry) for entry in logs)
