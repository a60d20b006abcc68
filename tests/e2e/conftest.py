"""Browser tests: Playwright driving Debian's headless Chromium against `make run`'s stack.

Fixtures:
- ``demo_stack``: ``billing-portal demo`` on free ports, in a temporary data directory
  (SQLite, the sandbox's state, the mail folder): started on first use, shared by every
  test, stopped when the run leaves this folder (see e2e_session.py for why not later).
- ``browser``: one headless Chromium (``PORTAL_TEST_CHROMIUM``, else ``chromium`` on PATH),
  shared the same way.
- ``page``: a fresh context and tab per test (en-US, UTC, loopback only); on failure a
  screenshot goes to ``test-artifacts/e2e/<test name>.png`` and the stack's log tail is
  added to the report.
- ``journal``: what the page showed, even for a moment (e2e_journal.py).
- ``billing``: the billing page of the demo stack in that tab.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_journal import Journal
from e2e_pages import BillingPage
from e2e_session import SharedResources
from e2e_stack import REPO_ROOT, Stack
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

HERE = Path(__file__).resolve().parent
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
SHARED = pytest.StashKey[SharedResources]()
LOOPBACK = re.compile(r"^(https?|wss?)://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(/|$)")
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
LEAVING = pytest.StashKey[bool]()

expect.set_options(timeout=10_000)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, Stack):
                report.sections.append((f"{value.name} log (tail)", value.log_tail()))
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Runs before the test's fixtures are torn down: note whether the run leaves tests/e2e."""
    item.stash[LEAVING] = nextitem is None or HERE not in Path(str(nextitem.path)).parents


@pytest.fixture(autouse=True)
def _close_shared_when_leaving(request: pytest.FixtureRequest) -> Iterator[None]:
    """Set up before, so torn down after, the test's other fixtures (its page and context);
    and, being function-scoped, before any wider fixture of another suite (an async one
    cannot finalize while a sync Playwright holds the event loop)."""
    yield
    if request.node.stash.get(LEAVING, True):
        request.config.stash[SHARED].close()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SHARED] = SharedResources()


def pytest_unconfigure(config: pytest.Config) -> None:
    shared = config.stash.get(SHARED, None)
    if shared is not None:
        shared.close()


@pytest.fixture
def demo_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    shared = request.config.stash[SHARED]
    return shared.stack(lambda: tmp_path_factory.mktemp("demo-stack"))


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Browser:
    return request.config.stash[SHARED].browser()


def _screenshot_on_failure(request: pytest.FixtureRequest, page: Page) -> None:
    reports = request.node.stash.get(REPORTS, {})
    if not any(r.failed for r in reports.values()):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception as error:  # a crashed page must not hide the test's own failure
        print(f"screenshot failed: {error}")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    created = browser.new_context(locale="en-US", timezone_id="UTC")
    created.set_default_timeout(10_000)
    yield created
    created.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, context: BrowserContext) -> Iterator[Page]:
    outside: list[str] = []

    def refuse(route: Route) -> None:
        outside.append(route.request.url)
        route.abort()

    # Nothing but loopback: any other address is refused and fails the test.
    context.route(lambda url: not LOOPBACK.match(url) and url.startswith(("http", "ws")), refuse)
    opened = context.new_page()
    yield opened
    _screenshot_on_failure(request, opened)
    assert not outside, f"the browser tried to leave loopback: {outside}"


@pytest.fixture
def journal(context: BrowserContext) -> Journal:
    return Journal.install(context)


@pytest.fixture
def billing(page: Page, demo_stack: Stack, journal: Journal) -> BillingPage:
    return BillingPage(page, demo_stack, journal)
