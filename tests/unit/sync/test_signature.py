from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.webhooks.signature import StripeSignatureVerifier, sign
from adapters.webhooks.verified_event import VerifiedEvent
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


def signed_with(timestamp: str, body: bytes = BODY) -> str:
    """A header whose digest is right for ``timestamp`` exactly as written."""
    digest = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


ARABIC_INDIC = "".join(chr(0x0660 + int(d)) for d in str(NOW))
FULLWIDTH = "".join(chr(0xFF10 + int(d)) for d in str(NOW))


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(signed_with(ARABIC_INDIC), id="arabic-indic-digits"),
        pytest.param(signed_with(FULLWIDTH), id="fullwidth-digits"),
        pytest.param(signed_with("\u00b2\u00b3"), id="superscript-digits"),
        pytest.param(signed_with("9" * 400), id="400-digits"),
        pytest.param(signed_with("9" * 5000), id="5000-digits"),
        pytest.param(f"t={NOW},v1=\u00e9\u00e9", id="non-ascii-v1"),
        pytest.param(f"t={NOW},v1=\ud800", id="lone-surrogate-v1"),
    ],
)
def test_a_malformed_header_is_refused_never_raised(header: str) -> None:
    with pytest.raises(InvalidWebhook):
        StripeSignatureVerifier([SECRET]).verify(BODY, header, now=at(NOW))


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="100k-deep"),
        pytest.param(b'{"id": "evt_1", "n": ' + b"9" * 5000 + b"}", "not JSON", id="5000-digits"),
        pytest.param(b'{"id": "evt_1", "n": NaN}', "not JSON", id="nan"),
        pytest.param(b'{"id": "evt_1", "n": 1e999}', "not JSON", id="infinite"),
        pytest.param(b'{"id": "\xff\xfe"}', "not JSON", id="not-utf8"),
    ],
)
def test_a_correctly_signed_body_that_is_no_event_is_refused(body: bytes, refusal: str) -> None:
    header = sign(body, SECRET, NOW)

    with pytest.raises(InvalidWebhook, match=refusal):
        StripeSignatureVerifier([SECRET]).verify(body, header, now=at(NOW))


_PART = st.tuples(st.sampled_from(["t", "v1", "v0", " t", ""]) | st.text(max_size=3), st.text())
STRUCTURED_HEADERS = st.lists(_PART, max_size=4).map(
    lambda parts: ",".join(f"{key}={value}" for key, value in parts)
)


@settings(max_examples=300, deadline=None)
@given(
    header=st.one_of(st.none(), st.text(), STRUCTURED_HEADERS),
    body=st.binary(max_size=512),
)
def test_any_header_and_body_either_verify_or_are_refused(header: str | None, body: bytes) -> None:
    verifier = StripeSignatureVerifier([SECRET])
    with contextlib.suppress(InvalidWebhook):  # any other exception fails the property
        verifier.verify(body, header, now=at(NOW))


@settings(max_examples=300, deadline=None)
@given(body=st.one_of(st.binary(max_size=512), st.text(max_size=512).map(str.encode)))
def test_any_correctly_signed_body_is_an_event_or_refused(body: bytes) -> None:
    verifier = StripeSignatureVerifier([SECRET])
    try:
        event = verifier.verify(body, sign(body, SECRET, NOW), now=at(NOW))
    except InvalidWebhook:
        return
    assert isinstance(event["id"], str)


@settings(max_examples=300, deadline=None)
@given(
    timestamp=st.text(alphabet=st.characters(categories=("Nd", "No")), min_size=1),
    body=st.binary(max_size=256),
)
def test_any_digit_like_timestamp_is_a_refusal(timestamp: str, body: bytes) -> None:
    """Correctly signed for the timestamp as written, which is never plain ASCII seconds
    within tolerance unless it equals NOW's digits."""
    header = signed_with(timestamp, body)
    verifier = StripeSignatureVerifier([SECRET])
    try:
        verifier.verify(body, header, now=at(NOW))
    except InvalidWebhook:
        return
    assert timestamp.isascii()
    assert abs(int(timestamp) - NOW) <= 300


def test_one_verifier_checks_delivery_after_delivery_with_its_keys_untouched() -> None:
    verifier = StripeSignatureVerifier([SECRET, OLD_SECRET])
    other = json.dumps(event("invoice.paid", subscription(), event_id="evt_2")).encode()

    for _ in range(3):
        assert verifier.verify(BODY, sign(BODY, SECRET, NOW), now=at(NOW))["id"] == "evt_1"
        with pytest.raises(InvalidWebhook, match="no v1 signature matches"):
            verifier.verify(other, sign(BODY, SECRET, NOW), now=at(NOW))
        assert verifier.verify(other, sign(other, OLD_SECRET, NOW), now=at(NOW))["id"] == "evt_2"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"id": "evt_1", "name": "\\ud800"}', id="lone-surrogate-escape"),
        pytest.param(b'{"id": "evt_1", "n": -1e400}', id="negative-infinite"),
        pytest.param(b'{"id": "evt_1", "n": Infinity}', id="infinity-literal"),
        pytest.param(b'{"id": "evt_1"} trailing', id="trailing-garbage"),
    ],
)
def test_more_bodies_that_are_no_json_are_refused(body: bytes) -> None:
    with pytest.raises(InvalidWebhook, match="not JSON"):
        StripeSignatureVerifier([SECRET]).verify(body, sign(body, SECRET, NOW), now=at(NOW))


def test_the_event_is_parsed_exactly() -> None:
    body = '{"id": "evt_1", "big": 123456789012345678901234567890, "f": 0.1, "s": "é✓"}'
    event = StripeSignatureVerifier([SECRET]).verify(
        body.encode(), sign(body.encode(), SECRET, NOW), now=at(NOW)
    )
    assert event == json.loads(body)


# The verifier decodes only the envelope and skips the rest of the body (the inbox stores
# the body as sent). Every refusal of the full decode must still hold when the offending
# value sits in a field that is skipped, and every accepted body must read as the full
# decode reads it.
def _full_decode(body: bytes) -> dict[str, object] | None:
    """What the verifier accepted when it decoded every body in full (None: refused)."""
    try:
        event = msgspec.json.decode(body)
    except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError):
        return None
    return event if isinstance(event, dict) and isinstance(event.get("id"), str) else None


HOSTILE_VALUES = [
    b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e400", b"1e309", b"1E+309",
    b"1e0000000309", b"9" * 5000, b"1" + b"0" * 250 + b"e60", b'"\xff\xfe"', b'"\\ud800"',
    b'"\\q"', b'"a\x01b"', b"[" * 5000 + b"]" * 5000, b'{"a": ' * 3000 + b"1" + b"}" * 3000,
    b"01", b"1.", b".5", b"+1", b"tru", b"nul",
]  # fmt: skip
ACCEPTED_VALUES = [
    b"1e308", b"123456789e300", b"1e-400", b"9" * 400, b"1" + b"0" * 300 + b".5",
    b'"cus_5e123x"', b'"\\ud83d\\ude00"', b'"\\u0000"', b'"\xc3\xa9\xe2\x9c\x93"',
    b"[" * 100 + b"]" * 100, b"123456789012345678901234567890",
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE_VALUES + ACCEPTED_VALUES)
@pytest.mark.parametrize("where", ["skipped", "nested", "envelope"])
def test_a_value_anywhere_in_the_body_is_refused_or_read_as_the_full_decode_does(
    value: bytes, where: str
) -> None:
    body = {
        "skipped": b'{"id": "evt_1", "object": "event", "x": ' + value + b', "type": "t"}',
        "nested": b'{"id": "evt_1", "data": {"object": {"a": [1, {"b": ' + value + b"}]}}}",
        "envelope": b'{"id": "evt_1", "created": ' + value + b"}",
    }[where]
    expected = _full_decode(body)
    verifier = StripeSignatureVerifier([SECRET])

    if expected is None:
        with pytest.raises(InvalidWebhook):
            verifier.verify(body, sign(body, SECRET, NOW), now=at(NOW))
    else:
        event = verifier.verify(body, sign(body, SECRET, NOW), now=at(NOW))
        assert dict(event) == expected
        assert {k: event.get(k) for k in ("id", "type", "created", "livemode", "x")} == {
            k: expected.get(k) for k in ("id", "type", "created", "livemode", "x")
        }


_JSON_TOKENS = st.sampled_from(
    [b"{", b"}", b"[", b"]", b",", b":", b'"id"', b'"evt_1"', b'"type"', b'"created"',
     b'"livemode"', b"true", b"null", b"1", b"-0.5", b"1e5", *HOSTILE_VALUES[:12], b" "]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    body=st.one_of(
        st.lists(_JSON_TOKENS, max_size=30).map(b"".join),
        st.lists(_JSON_TOKENS, max_size=30).map(lambda t: b'{"id": "evt_1", "x": ' + b"".join(t)),
        st.binary(max_size=64).map(lambda b: b'{"id": "evt_1", "x": "' + b + b'"}'),
    )
)
def test_any_body_is_accepted_exactly_when_the_full_decode_accepts_it(body: bytes) -> None:
    expected = _full_decode(body)
    verifier = StripeSignatureVerifier([SECRET])
    try:
        event = verifier.verify(body, sign(body, SECRET, NOW), now=at(NOW))
    except InvalidWebhook:
        assert expected is None
        return
    assert expected is not None
    assert dict(event) == expected
    assert event["id"] == expected["id"]
    assert event.get("type") == expected.get("type")


def test_the_verified_event_keeps_the_body_as_sent_for_the_inbox() -> None:
    body = b'{ "id" : "evt_1",\n "n": 1.50, "s": "\\u00e9" }'
    event = StripeSignatureVerifier([SECRET]).verify(body, sign(body, SECRET, NOW), now=at(NOW))

    assert isinstance(event, VerifiedEvent)
    assert event.json is body
    assert dict(event) == {"id": "evt_1", "n": 1.5, "s": "é"}
