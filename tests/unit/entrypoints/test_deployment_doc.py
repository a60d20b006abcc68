"""docs/DEPLOYMENT.md names the event types the handlers take and the pinned API version,
so an operator who copies them subscribes the webhook endpoint to exactly what the code reads."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from adapters.stripe.client import DEFAULT_API_VERSION
from application.sync import handlers
from application.sync.handlers import customers, invoices, payment_methods, portal, subscriptions

DOC = Path(__file__).resolve().parents[3] / "docs" / "DEPLOYMENT.md"


def handled_types() -> set[str]:
    modules = (customers, invoices, payment_methods, portal, subscriptions)
    found = {
        event_type
        for module in modules
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__
        for event_type in getattr(cls, "TYPES", ())
    }
    assert found, f"no handler TYPES found in {handlers.__name__}"
    return found


def documented_types() -> set[str]:
    text = DOC.read_text()
    block = text.split("Subscribe to exactly these", 1)[1].split("```", 2)[1]
    return {line.strip() for line in block.splitlines() if line.strip()}


def test_the_documented_event_types_are_the_handled_ones() -> None:
    assert documented_types() == handled_types()
    count = re.search(r"exactly these (\d+) event types", DOC.read_text())
    assert count is not None
    assert int(count.group(1)) == len(handled_types())


def test_the_documented_api_version_is_the_pinned_one() -> None:
    assert f"**`{DEFAULT_API_VERSION}`**" in DOC.read_text()
    assert f"--api-version {DEFAULT_API_VERSION}" in DOC.read_text()
