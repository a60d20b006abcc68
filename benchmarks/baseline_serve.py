"""Serve the bare baseline as ``billing-portal serve`` serves the API:
``python -m benchmarks.baseline_serve HOST PORT PROCESSES``.

The same process model (one listening socket per process, ``SO_REUSEPORT``; see
``entrypoints/cli/serve_processes.py``), so that the ratios compare the routes' work, not
how connections reach the processes. The app stays the bare one of ``baseline_app``.
"""

from __future__ import annotations

import sys

import uvicorn

from entrypoints.cli.serve_processes import hold_port, run_processes


def main() -> None:
    host, port, processes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    config = uvicorn.Config(
        "benchmarks.baseline_app:app",
        host=host,
        port=port,
        workers=processes,
        access_log=False,
        log_level="warning",
    )
    if processes == 1:
        uvicorn.Server(config).run()
    else:
        run_processes(config, hold_port(host, port))


if __name__ == "__main__":
    main()
