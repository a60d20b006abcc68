"""The web package's tests run without a database: the page's API is faked behind the
real JWT middleware and problem map."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from web_harness import WebApp, web_app

from entrypoints.http.problems import PROBLEMS
from entrypoints.http.web import CsrfRejected


@pytest.fixture(autouse=True)
def csrf_rejected_is_403(monkeypatch: pytest.MonkeyPatch) -> None:
    """The line the lead adds to ``PROBLEMS`` in problems.py (harmless once it is there)."""
    monkeypatch.setitem(PROBLEMS, CsrfRejected, (403, "csrf-rejected", "CSRF check failed"))


@pytest.fixture
async def web() -> AsyncIterator[WebApp]:
    async with web_app() as app:
        yield app
