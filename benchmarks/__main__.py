"""``python -m benchmarks [--rounds N] [--batch N]``: run every case, print the table."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys

import httpx

from .cases import build_cases
from .measure import run_rounds, table
from .stack import running_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=12, help="interleaved rounds (default 12)")
    parser.add_argument(
        "--batch", type=int, default=20, help="requests per case per round (default 20)"
    )
    args = parser.parse_args(argv)
    if not (1 <= args.rounds <= 100 and 1 <= args.batch <= 200):
        parser.error("--rounds must be 1..100 and --batch 1..200")
    print("starting the sandbox and the app (loopback only)...", file=sys.stderr)
    with (
        running_stack() as stack,
        httpx.Client(base_url=stack.app_url, trust_env=False) as app,
        httpx.Client(
            base_url=stack.sandbox_url,
            trust_env=False,
            headers={
                "Authorization": f"Bearer {stack.settings.stripe.api_key}",
                "Stripe-Version": stack.settings.stripe.api_version,
            },
        ) as sandbox,
    ):
        cases = build_cases(stack, app, sandbox)
        tallies = run_rounds(cases, args.rounds, args.batch, lambda: stack.sandbox.requests)
        machine = (
            f"{datetime.date.today().isoformat()}, os.cpu_count()={os.cpu_count()}, "
            f"Python {platform.python_version()} ({platform.system()} {platform.machine()}), "
            f"database {stack.database}, {args.rounds} rounds x {args.batch} requests, "
            "one keep-alive connection, one request at a time"
        )
    print(table(cases, tallies))
    print(f"\nmachine: {machine}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
