"""Helpers for the adapter-vs-sandbox tests: the project's adapter, pointed at a sandbox.

Only tests import the sandbox; ``src/adapters`` never does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adapters.stripe import StripeSettings
from stripe_sandbox.seed import DemoRecord
from stripe_sandbox.store import SandboxStore

API_KEY = "sk_test_avs"
SHIPPED_CATALOG = Path(__file__).resolve().parents[3] / "portal-configurations.toml"
CONFIGURATION = "billing_portal.configuration"


def settings_for(url: str, api_key: str = API_KEY) -> StripeSettings:
    """The adapter's settings, as the app builds them, aimed at the sandbox."""
    return StripeSettings(api_key=api_key, api_base=url, max_network_retries=0)


def by_user(records: list[DemoRecord]) -> dict[str, DemoRecord]:
    return {record.user_id: record for record in records}


def prices_by_lookup_key(store: SandboxStore) -> dict[str, dict[str, Any]]:
    """The seeded prices, keyed by their lookup key (their ids are random)."""
    prices = store.snapshot().table("price").values()
    return {price["lookup_key"]: price for price in prices if price["lookup_key"]}


PLANS = ("basic_monthly", "basic_yearly", "pro_monthly", "pro_yearly")
_PRICE_LIST = re.compile(r"^(?:prices|price_lookup_keys)\s*=\s*\[(?P<items>[^\]]*)\]", re.M)
_PRODUCT = re.compile(r'^product\s*=\s*"prod_(?P<name>basic|pro)"', re.M)


def catalog_for_seed(
    store: SandboxStore, text: str | None = None, *, keep_lookup_keys: bool = False
) -> str:
    """The shipped catalog, its plans named by the seeded products' and prices' ids.

    The shipped file names products ``prod_basic`` / ``prod_pro`` and its prices either
    ``price_basic_monthly`` ... or by lookup key; the seed creates the products
    ``prod_demo_basic`` / ``prod_demo_pro`` (see the report). Every offered price becomes
    ``prices = [ids]``, unless ``keep_lookup_keys``: then only the products are replaced.
    """
    text = SHIPPED_CATALOG.read_text(encoding="utf-8") if text is None else text
    prices = prices_by_lookup_key(store)

    def price_id(item: str) -> str:
        key = item.strip().strip('"').removeprefix("price_")
        return f'"{prices[key]["id"]}"' if key in PLANS else item.strip()

    def price_list(match: re.Match[str]) -> str:
        items = [i for i in match["items"].split(",") if i.strip()]
        return f"prices = [{', '.join(price_id(i) for i in items)}]"

    def product(match: re.Match[str]) -> str:
        seeded = prices[match["name"] + "_monthly"]["product"]
        return f'product = "{seeded}"'

    if not keep_lookup_keys:
        text = _PRICE_LIST.sub(price_list, text)
    return _PRODUCT.sub(product, text)


def write_catalog(directory: Path, text: str, name: str = "catalog.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def events_of(store: SandboxStore, *types: str) -> list[dict[str, Any]]:
    """The sandbox's events of the given types, oldest first."""
    found = store.snapshot().table("event").values()
    return sorted((e for e in found if e["type"] in types), key=lambda e: (e["created"], e["id"]))


def configurations(store: SandboxStore) -> dict[str, dict[str, Any]]:
    return dict(store.snapshot().table(CONFIGURATION))


def catalog_configurations(store: SandboxStore) -> dict[str, dict[str, Any]]:
    """The configurations a catalog created (tagged ``portal_catalog_name``): not the
    dashboard default the seed saves."""
    return {
        config_id: config
        for config_id, config in configurations(store).items()
        if "portal_catalog_name" in (config.get("metadata") or {})
    }


def dashboard_default(store: SandboxStore) -> dict[str, Any]:
    """The account's one default configuration (the seed saves it, as Stripe's dashboard)."""
    (default,) = [c for c in configurations(store).values() if c["is_default"]]
    return default


def assert_default_untouched(store: SandboxStore, seeded: Mapping[str, Any]) -> None:
    """The dashboard default is as the seed saved it: never updated, never deactivated."""
    assert configurations(store)[seeded["id"]] == seeded
    assert dashboard_default(store)["id"] == seeded["id"]
    updates = events_of(store, "billing_portal.configuration.updated")
    assert [e for e in updates if e["data"]["object"]["id"] == seeded["id"]] == []


def configuration_writes(store: SandboxStore) -> int:
    """Every create or update of a portal configuration the sandbox has seen."""
    return len(
        events_of(
            store,
            "billing_portal.configuration.created",
            "billing_portal.configuration.updated",
        )
    )


def catalog_names(configs: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Catalog name -> configuration id, for configurations the catalog tagged."""
    return {
        config["metadata"]["portal_catalog_name"]: config_id
        for config_id, config in configs.items()
        if "portal_catalog_name" in (config.get("metadata") or {})
    }


def without_configuration(text: str, name: str) -> str:
    """``text`` without every table of ``[configurations.<name>]`` (its sub-tables too)."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        header = line.strip()
        if header.startswith("["):
            table = header.strip("[]").strip()
            dropping = table == f"configurations.{name}" or table.startswith(
                f"configurations.{name}."
            )
        if not dropping:
            kept.append(line)
    return "".join(kept)
