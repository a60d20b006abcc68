"""The deep links a billing page offers: remembered per distinct input, never across one."""

from __future__ import annotations

import dataclasses

from tests.unit.builders import a_subscription

from application.billing_page.allowed_flows import allowed_flows
from domain.capabilities import ConfigurationCapabilities
from domain.portal_flow import FlowType

EVERYTHING = ConfigurationCapabilities(
    payment_method_update=True,
    subscription_cancel=True,
    subscription_update=True,
    updatable_prices=frozenset({"price_monthly", "price_yearly"}),
)


def test_the_same_inputs_give_the_same_flows_and_a_changed_input_its_own() -> None:
    active = a_subscription(id="sub_flows_1")
    everything = tuple(FlowType)

    assert allowed_flows([active], EVERYTHING, "b2c") == everything
    assert allowed_flows([active], EVERYTHING, "b2c") == everything  # remembered
    # the same subscription, now scheduled to cancel: no cancellation link any more
    cancelling = dataclasses.replace(active, cancel_at_period_end=True)
    assert FlowType.SUBSCRIPTION_CANCEL not in allowed_flows([cancelling], EVERYTHING, "b2c")
    # the same subscription under a configuration that allows less
    less = dataclasses.replace(EVERYTHING, subscription_cancel=False, subscription_update=False)
    assert allowed_flows([active], less, "b2c") == (FlowType.PAYMENT_METHOD_UPDATE,)
    ended = dataclasses.replace(active, status=type(active.status)("canceled"))
    assert allowed_flows([ended], EVERYTHING, "b2c") == (FlowType.PAYMENT_METHOD_UPDATE,)
    assert allowed_flows([active], EVERYTHING, "b2c") == everything
