"""The page and its assets are served by the API process with the right types and headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from web_harness import WebApp, web_app

from entrypoints.http.web.pages import STATIC_DIR


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.test_ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            value = values.get(name)
            if value and value.startswith("/"):
                self.urls.append(value)
        if values.get("data-testid"):
            self.test_ids.add(values["data-testid"] or "")


def _references(html: str) -> _References:
    parser = _References()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", ["/", "/billing", "/billing?action=portal_return"])
async def test_the_billing_page_is_served_as_html(web: WebApp, path: str) -> None:
    response = await web.client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/assets/billing.js">' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/assets/billing.js", r"(text|application)/javascript"),
        ("/assets/billing.css", r"text/css"),
    ],
)
async def test_assets_are_served_with_their_content_types(
    web: WebApp, path: str, content_type: str
) -> None:
    response = await web.client.get(path)

    assert response.status_code == 200
    assert re.match(content_type, response.headers["content-type"])
    assert response.content == (STATIC_DIR / path.removeprefix("/")).read_bytes()


async def test_every_local_asset_the_pages_reference_exists(web: WebApp) -> None:
    for page in ("/billing", "/pricing", "/reactivate", "/billing/complete-payment"):
        html = (await web.client.get(page)).text
        for url in _references(html).urls:
            response = await web.client.get(url)
            assert response.status_code == 200, f"{page} references {url}"


async def test_the_page_carries_the_hooks_browser_tests_drive() -> None:
    html = (STATIC_DIR / "index.html").read_text()
    expected = {
        "sign-in-list", "demo-user", "plan-name", "subscription-status", "renewal-date",
        "cancellation-notice", "payment-method", "invoice-row", "invoice-view-link",
        "invoice-pdf-link", "invoices-load-more", "manage-billing",
        "shortcut-update-payment-method", "shortcut-change-plan",
        "shortcut-cancel-subscription", "error-message", "error-dismiss", "support-contact",
        "sync-banner", "live-region", "redirect-link", "portal-explanation",
    }  # fmt: skip
    assert expected <= _references(html).test_ids
    assert 'role="status" aria-live="polite"' in html


@pytest.mark.parametrize(
    ("path", "test_id"),
    [
        ("/pricing", "placeholder-pricing"),
        ("/reactivate", "placeholder-reactivate"),
        ("/billing/complete-payment?subscription=sub_123", "placeholder-complete-payment"),
    ],
)
async def test_the_sandbox_serves_placeholders_for_the_redirect_targets(
    web: WebApp, path: str, test_id: str
) -> None:
    response = await web.client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'data-testid="{test_id}"' in response.text
    assert 'href="/billing"' in response.text


async def test_production_serves_no_placeholders() -> None:
    async with web_app(sandbox=False) as web:
        page = await web.client.get("/billing")
        pricing = await web.client.get("/pricing")

    assert page.status_code == 200
    assert pricing.status_code == 404


async def test_a_loopback_alias_is_sent_to_the_app_base_urls_host() -> None:
    # the portal returns to PORTAL_APP_BASE_URL, and cookies are per host
    async with web_app(
        base_url="http://127.0.0.1:8000", app_base_url="http://localhost:8000"
    ) as web:
        response = await web.client.get("/billing?action=portal_return", follow_redirects=False)

    assert response.status_code == 307
    assert response.headers["location"] == "http://localhost:8000/billing?action=portal_return"


@pytest.mark.parametrize(
    ("base_url", "app_base_url"),
    [
        ("http://127.0.0.1:9000", "http://localhost:8000"),  # another server
        ("http://billing.example.test", "http://localhost:8000"),  # not a loopback alias
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
async def test_other_hosts_are_not_redirected(base_url: str, app_base_url: str) -> None:
    async with web_app(base_url=base_url, app_base_url=app_base_url) as web:
        response = await web.client.get("/billing", follow_redirects=False)

    assert response.status_code == 200
