"""`billing-portal demo` as a real process, given secrets of its own and logging at DEBUG:
after sign-ins (good and forged), a portal session, webhooks (ours and the sandbox's) and
an email, no secret appears in its log or in any file it wrote besides its state."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from e2e_stack import Stack, start_demo, wait_until

from entrypoints.jwt_settings import DEV_JWT_AUDIENCE, DEV_JWT_ISSUER
from entrypoints.settings import SANDBOX_API_KEY

pytestmark = pytest.mark.e2e

JWT_SECRET = f"jwt-{secrets.token_hex(24)}"
SESSION_SECRET = f"session-{secrets.token_hex(24)}"
WEBHOOK_SECRET = f"whsec_{secrets.token_hex(16)}"
GIVEN = {
    "PORTAL_JWT_SECRET": JWT_SECRET,
    "PORTAL_SESSION_SECRET": SESSION_SECRET,
    "STRIPE_WEBHOOK_SECRETS": WEBHOOK_SECRET,
    "PORTAL_LOG_LEVEL": "DEBUG",
}
# Files whose job is to hold a secret: the databases (the sandbox signs its deliveries with
# the webhook secret it was configured with).
STATE_SUFFIXES = (".db", ".db-wal", ".db-shm", ".sqlite", ".sqlite3", ".json")


def call(
    stack: Stack, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # loopback only: the demo and its sandbox
        url if url.startswith("http") else f"http://127.0.0.1:{stack.port}{url}",
        method=method,
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def token(user_id: str, key: str = JWT_SECRET) -> str:
    now = int(time.time())
    claims = {"iss": DEV_JWT_ISSUER, "aud": DEV_JWT_AUDIENCE, "sub": user_id, "iat": now,
              "exp": now + 600}  # fmt: skip
    return jwt.encode(claims, key, algorithm="HS256")


def signed_event(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    at = int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={at},v1={digest}"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_demo(tmp_path_factory.mktemp("secrets-demo"), **GIVEN)
    try:
        yield stack
    finally:
        stack.stop()


def drive(demo: Stack) -> None:
    """What users, Stripe and an attacker do to a running demo."""
    as_b2c = {"Authorization": f"Bearer {token('user_b2c')}"}
    assert call(demo, "POST", "/api/session", {"token": token("user_b2c")})[0] == 200
    assert call(demo, "POST", "/api/session", {"token": token("user_b2c", "x" * 40)})[0] == 401
    assert call(demo, "POST", "/api/demo/sign-in", {"user_id": "user_past_due"})[0] == 200
    assert call(demo, "POST", "/api/billing/portal-sessions", {}, as_b2c)[0] == 201
    assert (
        call(demo, "GET", "/api/billing/summary", None, {"Authorization": "Bearer x.y.z"})[0] == 401
    )
    event = json.dumps({"id": f"evt_{secrets.token_hex(8)}", "object": "event",
                        "type": "customer.updated", "livemode": False, "created": int(time.time()),
                        "data": {"object": {"id": "cus_nobody", "object": "customer"}}}).encode()  # fmt: skip
    assert call(demo, "POST", "/api/webhooks/stripe", event, signed_event(event))[0] == 200
    forged = signed_event(event, "whsec_guess")
    assert call(demo, "POST", "/api/webhooks/stripe", event, forged)[0] == 400
    # Stripe retries user_past_due's open invoice; the sandbox's webhook leads to an email.
    as_past_due = {"Authorization": f"Bearer {token('user_past_due')}"}
    status, summary = call(demo, "GET", "/api/billing/summary", None, as_past_due)
    assert status == 200, summary
    invoice_url = summary["subscriptions"][0]["latest_invoice"]["hosted_invoice_url"]
    invoice_id = invoice_url.rstrip("/").rsplit("/", 1)[-1]
    sandbox_key = {"Authorization": f"Bearer {SANDBOX_API_KEY}"}
    paid = call(demo, "POST", f"{demo.sandbox_url}/v1/invoices/{invoice_id}/pay", b"", sandbox_key)
    assert paid[0] == 402, paid
    wait_until(lambda: any(demo.mail_dir.glob("*.eml")), timeout=30, what="the email")


def written_files(data_dir: Path) -> list[Path]:
    return [
        path
        for path in data_dir.rglob("*")
        if path.is_file() and not path.name.endswith(STATE_SUFFIXES)
    ]


def test_no_secret_reaches_the_log_or_any_file_but_the_state(demo: Stack) -> None:
    drive(demo)
    demo.stop()  # flushes the log

    files = written_files(demo.data_dir)
    given = {**GIVEN, "the sandbox's Stripe key": SANDBOX_API_KEY}
    given.pop("PORTAL_LOG_LEVEL")
    leaks = [
        (str(path.relative_to(demo.data_dir)), name)
        for path in files
        for name, secret in given.items()
        if secret.encode() in path.read_bytes()
    ]

    assert demo.log_path in files
    assert b"portal.session.created" in demo.log_path.read_bytes()  # the scan reads real text
    assert any(path.suffix == ".eml" for path in files)
    assert leaks == []
