"""Stop and start the local PostgreSQL cluster the test database lives on (Debian's
``pg_ctlcluster``, as root), and always leave it running.

Other test sessions share this server: keep the outage short and call ``ensure_running``
in a ``finally`` block.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

READY_TIMEOUT_SECONDS = 60.0
COMMAND_TIMEOUT_SECONDS = 90.0
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class LocalCluster:
    """One cluster as ``pg_lsclusters`` names it (``15 main``) and the port it serves."""

    version: str
    name: str
    port: int

    def __str__(self) -> str:
        return f"PostgreSQL {self.version}/{self.name} on port {self.port}"

    def stop_immediately(self) -> None:
        """``-m immediate``: no checkpoint, every connection cut, as a crash would."""
        self._ctl("stop", "-m", "immediate")

    def start(self) -> None:
        self._ctl("start")
        self.wait_until_ready()

    def is_ready(self) -> bool:
        probe = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "2"]
        return subprocess.run(probe, check=False, timeout=10).returncode == 0

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self.is_ready():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self} did not accept connections within the deadline")
            time.sleep(0.2)  # polling pg_isready with a deadline

    def ensure_running(self) -> None:
        """Start the cluster if it is down (whatever happened), then wait for pg_isready."""
        if not self.is_ready():
            subprocess.run(self._command("start"), check=False, timeout=COMMAND_TIMEOUT_SECONDS)
        self.wait_until_ready()

    def _ctl(self, *action: str) -> None:
        done = subprocess.run(
            self._command(*action),
            capture_output=True,
            text=True,
            check=False,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        if done.returncode != 0:
            raise AssertionError(f"pg_ctlcluster {' '.join(action)} failed: {done.stderr.strip()}")

    def _command(self, *action: str) -> list[str]:
        return ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, *action]


def local_cluster_of(database_url: str) -> LocalCluster:
    """The cluster serving ``database_url``, or a test failure saying why it cannot be
    restarted here (never a skip: CI runs as root beside its own PostgreSQL)."""
    url = make_url(database_url)
    port = url.port or 5432
    if url.host not in LOCAL_HOSTS:
        _cannot(f"the test database is on {url.host}, not a local cluster")
    if os.geteuid() != 0:
        _cannot("this process is not root (pg_ctlcluster needs root or the cluster's owner)")
    if shutil.which("pg_ctlcluster") is None or shutil.which("pg_lsclusters") is None:
        _cannot("pg_ctlcluster/pg_lsclusters are not installed (Debian's postgresql-common)")
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == str(port):
            return LocalCluster(version=fields[0], name=fields[1], port=port)
    _cannot(f"no cluster in pg_lsclusters serves port {port}:\n{listing}")
    raise AssertionError("unreachable")


def _cannot(reason: str) -> None:
    pytest.fail(
        "The database-restart fault test restarts the local PostgreSQL cluster with "
        f"pg_ctlcluster and cannot here: {reason}. Run it as root on the machine that "
        "serves the test database at 127.0.0.1 (as CI does).",
        pytrace=False,
    )
