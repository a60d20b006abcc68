from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.webhooks.signature import StripeSignatureVerifier, sign
from application.errors import InvalidWebhook

from .builders import event, subscription

NOW = 1_772_366_400
BODY = json.dumps(event("customer.subscription.updated", subscription(), event_id="evt_1")).encode()
SECRET, OLD_SECRET = "whsec_new", "whsec_old"


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def v1(secret: str, body: bytes = BODY, t: int = NOW) -> str:
    return sign(body, secret, t).split(",")[1]


@pytest.mark.parametrize(
    ("secrets", "body", "header", "refusal"),
    [
        ([SECRET], BODY, sign(BODY, SECRET, NOW), None),
        ([SECRET], BODY + b" ", sign(BODY, SECRET, NOW), "no v1 signature matches"),
        ([SECRET], BODY, sign(BODY, "whsec_other", NOW), "no v1 signature matches"),
        ([SECRET], BODY, sign(BODY, SECRET, NOW - 301), "more than 300 s"),
        ([SECRET], BODY, sign(BODY, SECRET, NOW + 301), "more than 300 s"),
        ([SECRET], BODY, f"t={NOW},v1={'0' * 64},{v1(SECRET)}", None),  # several v1, one valid
        ([SECRET, OLD_SECRET], BODY, sign(BODY, OLD_SECRET, NOW), None),  # rotation
        ([SECRET, OLD_SECRET], BODY, sign(BODY, SECRET, NOW), None),
        ([""], BODY, sign(BODY, "", NOW), "no webhook signing secret"),
        ([], BODY, sign(BODY, SECRET, NOW), "no webhook signing secret"),
        ([SECRET], BODY, None, "missing"),
        ([SECRET], BODY, "garbage", "malformed"),
        ([SECRET], BODY, f"t=soon,{v1(SECRET)}", "malformed timestamp"),
        ([SECRET], BODY, v1(SECRET), "no timestamp"),
        ([SECRET], BODY, f"t={NOW},v0=abc", "no v1 signature"),
        ([SECRET], b"not json", sign(b"not json", SECRET, NOW), "not JSON"),
    ],
)
def test_signature_verification(secrets, body, header, refusal) -> None:
    verifier = StripeSignatureVerifier(secrets)
    if refusal is None:
        assert verifier.verify(body, header, now=at(NOW))["id"] == "evt_1"
    else:
        with pytest.raises(InvalidWebhook, match=refusal):
            verifier.verify(body, header, now=at(NOW))


def test_tolerance_is_configurable() -> None:
    verifier = StripeSignatureVerifier([SECRET], tolerance_seconds=600)
    assert verifier.verify(BODY, sign(BODY, SECRET, NOW - 500), now=at(NOW))["id"] == "evt_1"
