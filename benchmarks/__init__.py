"""Benchmarks (`make bench`, i.e. ``python -m benchmarks``): ratios, never absolute timings.

Every case runs against the real app (``create_app``) served by uvicorn on a loopback port
in a background thread, beside a baseline measured in the same run, in interleaved rounds,
so the machine's noise falls on both sides of each ratio. See ``docs/PERFORMANCE.md``.
"""
