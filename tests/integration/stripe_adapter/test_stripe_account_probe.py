"""``config check``'s Stripe probe: the key's mode, and a missing permission named."""

from __future__ import annotations

import pytest

from adapters.stripe import open_stripe_client
from adapters.stripe.account_probe import StripeAccountProbe
from application.errors import ProviderMisconfigured

from .conftest import API_KEY, settings_for
from .fake_stripe import FakeStripe
from .stripe_objects import stripe_error, stripe_list

READS = ["/v1/customers", "/v1/subscriptions", "/v1/billing_portal/configurations", "/v1/events"]


async def test_reads_one_of_each_resource_and_reports_the_keys_mode(
    fake_stripe: FakeStripe,
) -> None:
    for path in READS:
        fake_stripe.reply("GET", path, stripe_list([], path))

    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        account = await StripeAccountProbe(client, API_KEY).probe()

    assert account.livemode is False
    assert "billing portal configurations" in account.checked
    assert [r.path for r in fake_stripe.requests] == READS
    assert all(r.params == {"limit": "1"} for r in fake_stripe.requests)


async def test_a_restricted_key_missing_a_permission_is_named(fake_stripe: FakeStripe) -> None:
    fake_stripe.reply("GET", "/v1/customers", stripe_list([], "/v1/customers"))
    denied = stripe_error("The provided key does not have access", type="invalid_request_error")
    fake_stripe.reply("GET", "/v1/subscriptions", denied, status=403)

    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        with pytest.raises(ProviderMisconfigured, match="access to subscriptions"):
            await StripeAccountProbe(client, "rk_live_restricted").probe()
