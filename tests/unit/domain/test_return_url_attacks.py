"""Return URLs: only ``<app base>/<allow-listed path>?...&action=portal_return`` ever leaves."""

from __future__ import annotations

import pytest

from domain.errors import InvalidReturnPath
from domain.return_url import ReturnUrlPolicy, build_return_url

BASE = "https://app.example.com"
POLICY = ReturnUrlPolicy(BASE, allowed_paths=("/billing", "/settings/billing"))


@pytest.mark.parametrize(
    ("requested", "markers", "expected"),
    [
        pytest.param(None, (), f"{BASE}/billing?action=portal_return", id="default-path"),
        pytest.param("/billing", (), f"{BASE}/billing?action=portal_return", id="allowed-path"),
        pytest.param("/billing?", (), f"{BASE}/billing?action=portal_return", id="empty-query"),
        pytest.param(
            "/settings/billing",
            (),
            f"{BASE}/settings/billing?action=portal_return",
            id="second-allowed-path",
        ),
        pytest.param(
            "/billing?tab=invoices",
            (),
            f"{BASE}/billing?tab=invoices&action=portal_return",
            id="safe-query",
        ),
        pytest.param(
            "/billing?tab=invoices&v=2.1",
            (),
            f"{BASE}/billing?tab=invoices&v=2.1&action=portal_return",
            id="two-safe-params",
        ),
        pytest.param(
            "/billing?flag",
            (),
            f"{BASE}/billing?flag=&action=portal_return",
            id="param-without-value",
        ),
        pytest.param(
            None,
            (("multiple_subscriptions", "true"),),
            f"{BASE}/billing?action=portal_return&multiple_subscriptions=true",
            id="marker",
        ),
        pytest.param(
            "/billing?tab=plan",
            (("multiple_subscriptions", "true"),),
            f"{BASE}/billing?tab=plan&action=portal_return&multiple_subscriptions=true",
            id="query-and-marker",
        ),
    ],
)
def test_accepted_paths_build_exactly_this_url(
    requested: str | None, markers: tuple[tuple[str, str], ...], expected: str
) -> None:
    assert build_return_url(POLICY, requested, markers) == expected


def test_trailing_slash_on_the_base_url_is_not_doubled() -> None:
    policy = ReturnUrlPolicy("https://app.example.com/app/")
    assert (
        build_return_url(policy, None) == "https://app.example.com/app/billing?action=portal_return"
    )


ATTACKS = {
    "absolute-https": "https://evil.com/billing",
    "absolute-http": "http://evil.com",
    "javascript": "javascript:alert(1)",
    "javascript-after-slash": "/javascript:alert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "protocol-relative": "//evil.com",
    "protocol-relative-allowed-suffix": "//evil.com/billing",
    "slash-backslash": "/\\evil.com",
    "double-backslash": "\\\\evil",
    "backslash-in-path": "/billing\\..\\admin",
    "encoded-slashes": "/%2F%2Fevil.com",
    "encoded-billing": "/%62illing",
    "encoded-dots": "/billing/%2e%2e/admin",
    "dot-dot-segment": "/billing/../admin",
    "dot-dot-back-into-allowed": "/settings/../billing",
    "dot-segment": "/./billing",
    "trailing-dot-segment": "/billing/.",
    "null-byte": "/billing\x00",
    "control-char": "/billing\x1b",
    "del-char": "/billing\x7f",
    "tab": "/bil\tling",
    "newline": "/billing\nLocation: https://evil.com",
    "carriage-return": "/billing\r",
    "leading-space": " /billing",
    "space-in-query": "/billing?tab=a b",
    "non-ascii-lookalike": "/b\u0456lling",  # Cyrillic i
    "non-ascii-fullwidth-slash": "/billing\uff0fevil",
    "userinfo-at": "/billing@evil.com",
    "at-in-query": "/billing?next=a@evil.com",
    "fragment": "/billing#frag",
    "over-long": "/billing?x=" + "a" * 520,
    "empty-string": "",
    "relative-without-slash": "billing",
    "not-in-allow-list": "/admin",
    "allowed-prefix-only": "/billing/extra",
    "allowed-path-with-trailing-slash": "/billing/",
    "case-variant": "/Billing",
    "reserved-action": "/billing?action=delete_account",
    "reserved-action-second": "/billing?tab=a&action=portal_return",
    "reserved-marker": "/billing?multiple_subscriptions=false",
    "query-with-url-value": "/billing?next=https://evil.com",
    "query-with-question-mark": "/billing?a=1?b=2",
    "empty-param-between": "/billing?a=1&&b=2",
    "semicolon-param": "/billing;jsessionid=1",
    "over-long-param-value": "/billing?x=" + "a" * 65,
}


@pytest.mark.parametrize("requested", list(ATTACKS.values()), ids=list(ATTACKS))
def test_attacks_are_rejected_naming_the_field(requested: str) -> None:
    with pytest.raises(InvalidReturnPath) as refused:
        build_return_url(POLICY, requested)
    assert refused.value.field == "return_path"
    assert refused.value.message.startswith("return_path ")


@pytest.mark.parametrize(
    ("requested", "hint"),
    [
        pytest.param("/admin", "choose one of: /billing, /settings/billing", id="allow-list"),
        pytest.param("//evil.com", "single '/'", id="protocol-relative"),
        pytest.param("/billing?action=x", "reserved parameter 'action'", id="reserved"),
        pytest.param("/billing/../admin", "'..'", id="dot-dot"),
        pytest.param("/bil\nling", "control", id="control"),
    ],
)
def test_refusal_tells_the_caller_what_to_change(requested: str, hint: str) -> None:
    with pytest.raises(InvalidReturnPath, match=hint.replace("?", r"\?").replace(".", r"\.")):
        build_return_url(POLICY, requested)
