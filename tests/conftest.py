"""Suite-wide ordering: tests that restart PostgreSQL run last.

A restart (``tests/integration/faults``) closes every pooled connection of the session's
other engines; run earlier, it would fail the tests that follow it for a reason of its own
making. Moved to the end, only session teardown (a fresh connection per statement) follows.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    restarting = [item for item in items if item.get_closest_marker("restarts_postgres")]
    if restarting:
        others = [item for item in items if not item.get_closest_marker("restarts_postgres")]
        items[:] = others + restarting
