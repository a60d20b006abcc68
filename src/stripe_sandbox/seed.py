"""The demo: a catalog and one customer per portal situation, with backdated history.

:func:`seed_demo` builds it in an empty store and records who is who in the state file;
on a store that already has customers or products it changes nothing and returns the
recorded demo records. History (renewals, failed charges, cancellations) is produced by
the same code as live operations, run at the moments it would have happened.
"""

from __future__ import annotations

from . import catalog, portal_configurations
from .ledger import Ledger
from .periods import add_interval
from .seed_customers import DemoRecord, demo_steps
from .store import SandboxStore

CATALOG = (
    ("prod_demo_basic", "Basic", (("basic_monthly", 900, "month"), ("basic_yearly", 9000, "year"))),
    ("prod_demo_pro", "Pro", (("pro_monthly", 2900, "month"), ("pro_yearly", 29000, "year"))),
)
METERED = ("prod_demo_api_calls", "API calls", "api_calls_metered", 2)


def seed_demo(store: SandboxStore, now: int | None = None) -> list[DemoRecord]:
    """Create the demo catalog and customers (once); returns the demo records."""
    with store.exclusive() as state:
        if state.demo_records or state.table("customer") or state.table("product"):
            return [DemoRecord(**r) for r in state.demo_records]
        now = store.now() if now is None else now
        with store.transaction(at=add_interval(now, "year", -2)) as ledger:
            prices = _catalog(ledger)
            portal_configurations.create_dashboard_default(ledger)
        records: list[DemoRecord] = []
        steps = demo_steps(now, prices, records)
        for at, step in sorted(steps, key=lambda s: s[0]):
            with store.transaction(at=at) as ledger:
                step(ledger)
        with store.transaction():
            store.live_state().demo_records = [r.to_json() for r in records]
        return records


def _catalog(ledger: Ledger) -> dict[str, str]:
    prices: dict[str, str] = {}
    for product_id, name, variants in CATALOG:
        catalog.create_product(ledger, {"id": product_id, "name": name})
        for key, amount, interval in variants:
            price = catalog.create_price(
                ledger,
                {
                    "product": product_id,
                    "currency": "usd",
                    "unit_amount": amount,
                    "lookup_key": key,
                    "nickname": f"{name} {interval}ly",
                    "recurring": {"interval": interval},
                },
            )
            prices[key] = price["id"]
    product_id, name, key, amount = METERED
    catalog.create_product(ledger, {"id": product_id, "name": name})
    metered = catalog.create_price(
        ledger,
        {
            "product": product_id,
            "currency": "usd",
            "unit_amount": amount,
            "lookup_key": key,
            "recurring": {"interval": "month", "usage_type": "metered"},
        },
    )
    prices[key] = metered["id"]
    return prices


__all__ = ["DemoRecord", "seed_demo"]
