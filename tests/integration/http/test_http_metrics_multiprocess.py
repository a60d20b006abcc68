"""With PROMETHEUS_MULTIPROC_DIR, one process's /metrics reports every process's samples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from metrics_scrape import value

# Each child builds the real app; the variable must be set before prometheus_client loads.
CHILD = """
import sys
from litestar.testing import TestClient
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings

settings = load_settings({"PORTAL_DATABASE_URL": sys.argv[1], "PORTAL_LOG_LEVEL": "ERROR"})
with TestClient(create_app(settings)) as client:
    response = client.get(sys.argv[2])
    sys.stdout.write(response.text)
"""


def run_child(metrics_dir: Path, database_url: str, path: str) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, path],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_one_scrape_sums_the_samples_of_every_process(tmp_path: Path, postgres_url: str) -> None:
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()

    run_child(metrics_dir, postgres_url, "/healthz")
    run_child(metrics_dir, postgres_url, "/healthz")
    text = run_child(metrics_dir, postgres_url, "/metrics")

    count = "billing_portal_http_request_duration_seconds_count"
    assert value(text, count, route="/healthz", status="2xx") == 2
    assert value(text, "billing_portal_database_up") == 1
    assert any(metrics_dir.iterdir()), "the processes wrote their samples to the folder"
