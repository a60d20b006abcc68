"""The load generators: ``wrk`` (HTTP, requests read from a file) and ``pgbench``."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("requests.lua")
WRK_THREADS = 2


@dataclass(frozen=True)
class LoadResult:
    """One run of a load generator: its rate and, for HTTP, latency percentiles (ms)."""

    requests: int
    seconds: float
    errors: int = 0  # connect/read/write/timeout errors and non-2xx/3xx answers
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    wrapped: int = 0  # times a thread ran out of distinct requests and started over

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class RequestFile:
    """Requests for ``wrk``: one ``<header value>\\t<body>`` line each (see requests.lua)."""

    path: Path
    method: str
    url_path: str
    header: str
    count: int


def write_request_file(path: Path, lines: list[tuple[str, bytes]]) -> None:
    with path.open("wb") as out:
        for value, body in lines:
            if b"\n" in body or b"\t" in body or "\t" in value:
                raise ValueError("a request line may hold no tab or newline")
            out.write(value.encode() + b"\t" + body + b"\n")


def run_wrk(
    base_url: str,
    requests: RequestFile,
    *,
    seconds: float,
    connections: int,
    spacing_ms: float = 0.0,
    timeout_s: int = 10,
) -> LoadResult:
    env = {**os.environ, "WRK_THREADS": str(WRK_THREADS)}
    if spacing_ms > 0:
        env["WRK_SPACING_MS"] = f"{spacing_ms:.3f}"
    command = [
        "wrk",
        "-t", str(WRK_THREADS),
        "-c", str(connections),
        "-d", f"{max(1, round(seconds))}s",
        "--timeout", f"{timeout_s}s",
        "-s", str(LUA_SCRIPT),
        base_url + requests.url_path,
        "--", str(requests.path), requests.method, requests.url_path, requests.header,
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"^WRK_JSON (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    data = json.loads(found.group(1))
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=data["p50"] / 1000,
        p99_ms=data["p99"] / 1000,
        wrapped=data["wrapped"],
    )


def run_pgbench(
    dsn_args: list[str], scripts: list[Path], *, seconds: float, clients: int
) -> LoadResult:
    command = [
        "pgbench", "-n", "-c", str(clients), "-j", str(WRK_THREADS),
        "-T", str(max(1, round(seconds))),
        *(arg for script in scripts for arg in ("-f", str(script))),
        *dsn_args,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    processed = re.search(r"number of transactions actually processed: (\d+)", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    if done.returncode != 0 or processed is None or tps is None:
        raise RuntimeError(f"pgbench failed ({done.returncode}): {done.stderr.strip()}")
    count = int(processed.group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    return LoadResult(
        requests=count,
        seconds=count / float(tps.group(1)),
        errors=int(failed.group(1)) if failed else 0,
        p50_ms=float(latency.group(1)) if latency else 0.0,
    )
