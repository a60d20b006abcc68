"""The demo stack and the browser every browser test shares, started on first use.

They are closed as soon as the run leaves tests/e2e (conftest's `_close_shared_when_leaving`,
after the last e2e test's own fixtures and before any wider-scoped fixture is finalized),
not at the end of the whole session: a live sync Playwright marks an event loop as running
in the main thread, which would make every async test or fixture finalizer that follows
fail ("Runner.run() cannot be called from a running event loop"). Should e2e tests come back later in the same run
(a reordering plugin), both start again, on fresh demo data.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_stack import Stack, start_demo
from playwright.sync_api import Browser, Playwright, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("PORTAL_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "The browser tests need Chromium: `sudo apt-get install chromium` (Debian), "
            "or set PORTAL_TEST_CHROMIUM=/path/to/chrome. `make test` installs it as root.",
            pytrace=False,
        )
    return path


class SharedResources:
    def __init__(self) -> None:
        self._stack: Stack | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def stack(self, new_data_dir: Callable[[], Path]) -> Stack:
        """The running demo stack, started in ``new_data_dir()`` when there is none."""
        if self._stack is None:
            self._stack = start_demo(new_data_dir())
        return self._stack

    def browser(self) -> Browser:
        if self._browser is None:
            executable = chromium_path()
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        return self._browser

    def close(self) -> None:
        browser, playwright, stack = self._browser, self._playwright, self._stack
        self._browser = self._playwright = self._stack = None
        try:
            if browser is not None:
                browser.close()
        finally:
            try:
                if playwright is not None:
                    playwright.stop()
            finally:
                if stack is not None:
                    stack.stop()
