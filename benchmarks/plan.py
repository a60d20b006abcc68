"""How long and how big a run is: the full run (``make bench``) or ``BENCH_QUICK=1``."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Plan:
    rounds: int  # each scenario and its baseline, this many times, interleaved
    seconds: float  # one load run
    drain_rounds: int
    drain_events: int  # the events every drain run takes from the same starting state
    customers: int  # seeded in the sandbox, backfilled by `billing-portal sync`
    users: int  # linked bench users the portal and summary requests rotate through
    max_ingest_rate: int  # distinct new events prepared per second of an ingest run
    serve_processes: int  # `billing-portal serve` processes (and the baseline's)

    @property
    def quick(self) -> bool:
        return self.rounds == 1


def plan_from_environment() -> Plan:
    # `billing-portal serve`'s default on PostgreSQL: one process per CPU.
    processes = int(os.environ.get("BENCH_PROCESSES", "0")) or os.cpu_count() or 1
    if os.environ.get("BENCH_QUICK"):
        plan = Plan(1, 2, 1, 2_000, 300, 20, 8000, processes)
    else:
        # 10,000 customers, the backfill (about 20 s for the sync and 7 s for
        # the bare GETs here). 8,000 distinct new events per second of a run: each of
        # wrk's two threads sends its own half, and ingest passed 4,000 req/s on a quiet
        # machine.
        plan = Plan(5, 5, 3, 20_000, 10_000, 100, 8000, processes)
    customers = os.environ.get("BENCH_CUSTOMERS")  # a smaller backfill while developing
    return replace(plan, customers=int(customers)) if customers else plan
