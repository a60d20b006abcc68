"""docs/DEPLOYMENT.md names the event types the handlers take and the pinned API version,
so an operator who copies them subscribes the webhook endpoint to exactly what the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.stripe.client import DEFAULT_API_VERSION
from adapters.stripe.events import HANDLED_EVENT_TYPES

DOC = Path(__file__).resolve().parents[3] / "docs" / "DEPLOYMENT.md"


def documented_types() -> set[str]:
    text = DOC.read_text()
    block = text.split("Subscribe to exactly these", 1)[1].split("```", 2)[1]
    return {line.strip() for line in block.splitlines() if line.strip()}


def test_the_documented_event_types_are_the_handled_ones() -> None:
    assert documented_types() == set(HANDLED_EVENT_TYPES)
    count = re.search(r"exactly these (\d+) event types", DOC.read_text())
    assert count is not None
    assert int(count.group(1)) == len(set(HANDLED_EVENT_TYPES))


def test_the_documented_api_version_is_the_pinned_one() -> None:
    assert f"**`{DEFAULT_API_VERSION}`**" in DOC.read_text()
    assert f"--api-version {DEFAULT_API_VERSION}" in DOC.read_text()
