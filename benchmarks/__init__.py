"""Benchmarks (`make bench`, i.e. ``python -m benchmarks``): ratios, never absolute timings.

Each scenario loads the API as production runs it (``billing-portal serve`` and workers on
PostgreSQL, a Stripe stand-in on loopback) with wrk, beside a minimal baseline measured in
the same run (pgbench, a bare Litestar route on a raw asyncpg pool, bare GETs to the
sandbox), so the machine's noise falls on both sides of each ratio. Method and figures:
``docs/PERFORMANCE.md``.
"""
