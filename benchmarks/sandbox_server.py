"""The Stripe sandbox for the backfill scenario: the demo plus N active B2C customers.

``python -m benchmarks.sandbox_server PORT CUSTOMERS`` seeds the store in memory (one
sandbox transaction for all bench customers, so seeding stays linear) and serves it on
127.0.0.1:PORT until killed. Each bench customer has a card, an active monthly
subscription and its paid first invoice; the sandbox records the events of all of it.
"""

from __future__ import annotations

import dataclasses
import sys

import uvicorn

from stripe_sandbox import (
    SandboxSettings,
    build_store,
    create_sandbox_app,
    customers,
    seed_demo,
    subscriptions,
)

BENCH_EMAIL_DOMAIN = "bench.example"


def bench_customer_email(index: int) -> str:
    return f"bench-{index}@{BENCH_EMAIL_DOMAIN}"


def main(port: int, count: int) -> None:
    settings = dataclasses.replace(SandboxSettings(), public_base_url=f"http://127.0.0.1:{port}")
    store = build_store(settings)
    seed_demo(store)
    price = next(
        p["id"]
        for p in store.list_prices({"limit": "100"})["data"]
        if p.get("recurring")
        and p["recurring"].get("interval") == "month"
        and p["recurring"].get("usage_type") != "metered"
    )
    with store.transaction() as ledger:
        for index in range(count):
            card = "pm_card_visa"
            customer = customers.create(
                ledger,
                {
                    "email": bench_customer_email(index),
                    "name": f"Bench Customer {index}",
                    "metadata": {"bench_user": f"bench_{index}"},
                    "payment_method": card,
                    "invoice_settings": {"default_payment_method": card},
                },
            )
            subscriptions.create(
                ledger, {"customer": customer["id"], "items": [{"price": price, "quantity": 1}]}
            )
    app = create_sandbox_app(settings, store)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
