"""Catalog data as the TOML file would give it, for tests."""

from __future__ import annotations

import copy
from typing import Any

from domain.catalog import Catalog, parse_catalog

SOURCE = "portal-configurations.toml"

_B2B: dict[str, Any] = {
    "business_profile": {"headline": "Manage your subscription"},
    "default_return_url": "http://localhost:8000/billing",
    "features": {
        "customer_update": {"enabled": True, "allowed_updates": ["email", "tax_id"]},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": True},
        "subscription_cancel": {
            "enabled": True,
            "mode": "at_period_end",
            "cancellation_reason": {"enabled": True, "options": ["too_expensive", "other"]},
        },
        "subscription_update": {
            "enabled": True,
            "default_allowed_updates": ["price", "quantity"],
            "proration_behavior": "create_prorations",
            "products": [
                {
                    "product": "prod_demo_basic",
                    "prices": ["price_basic_monthly", "price_basic_yearly"],
                },
                {"product": "prod_demo_pro", "prices": ["price_pro_monthly"]},
            ],
        },
    },
    "metadata": {"segment": "b2b"},
}


def b2b_data() -> dict[str, Any]:
    return copy.deepcopy(_B2B)


def catalog_of(**configurations: dict[str, Any]) -> Catalog:
    return parse_catalog({"configurations": configurations}, source=SOURCE)


def payment_methods_only() -> dict[str, Any]:
    return {"features": {"payment_method_update": {"enabled": True}}}
