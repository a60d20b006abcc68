"""The benchmark's pre-signed webhook bodies are ones the real endpoint would accept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.webhooks.signature import StripeSignatureVerifier
from benchmarks.load import write_request_file
from benchmarks.stripe_events import mint_events, signed_lines
from stripe_sandbox import SandboxSettings, build_store, seed_demo

SECRET = "whsec_benchmark_test"


def _sandbox_events() -> list[dict[str, object]]:
    store = build_store(SandboxSettings())
    seed_demo(store)
    return list(store.list_events({"limit": "20"})["data"])


def test_each_line_of_the_wrk_file_is_a_distinct_event_our_verifier_accepts(
    tmp_path: Path,
) -> None:
    templates = _sandbox_events()
    signed_at = 1_800_000_000
    lines = list(signed_lines(mint_events(templates, "t", 45), SECRET, signed_at))
    path = tmp_path / "bodies.txt"
    write_request_file(path, lines)

    verifier = StripeSignatureVerifier([SECRET], tolerance_seconds=3600)
    # wrk sends the first field as the header and the rest of the line as the body
    received = []
    for line in path.read_bytes().splitlines():
        header, _, body = line.partition(b"\t")
        now = datetime.fromtimestamp(signed_at + 3000, UTC)
        received.append(verifier.verify(body, header.decode(), now=now))

    assert len(received) == 45
    assert len({event["id"] for event in received}) == 45
    assert {event["type"] for event in received} == {t["type"] for t in templates}
    # A template reused in a later cycle is a later change of the same object.
    first, again = received[0], received[len(templates)]
    assert first["data"] == again["data"]
    assert int(again["created"]) == int(first["created"]) + 1  # type: ignore[call-overload]
