"""``billing-portal serve --workers N``: N processes on one port, sharing what they must."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_harness import CATALOG

CLI = str(Path(sys.executable).with_name("billing-portal"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "STRIPE_"))}
    env |= {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_CATALOG_PATH": str(CATALOG)}
    server = subprocess.Popen(
        [CLI, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:  # until the server accepts connections, or gives up
            assert server.poll() is None, "serve exited"
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.1)
        yield server, url
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def test_two_processes_answer_on_one_port_with_one_page_session_secret(
    two_workers: tuple[subprocess.Popen[bytes], str],
) -> None:
    server, url = two_workers
    workers = _children(server.pid)

    answers = [httpx.get(f"{url}/healthz").status_code for _ in range(10)]

    assert answers == [200] * 10
    assert len(workers) >= 2
    # Development has no PORTAL_SESSION_SECRET: each process would draw its own random
    # one and refuse the others' cookies. serve draws one and hands it to every process.
    secrets = {_environ(pid).get("PORTAL_SESSION_SECRET") for pid in workers}
    assert len(secrets) == 1
    assert None not in secrets


def _listening_inodes(port: int) -> set[str]:
    """Inodes of the sockets listening on ``port`` (IPv4), from /proc/net/tcp."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and int(local.split(":")[1], 16) == port:
            found.add(inode)
    return found


def _own_listeners(server: subprocess.Popen[bytes], port: int) -> dict[int, set[str]]:
    """Each worker process's listening sockets on ``port``, once two listen (60 s at most)."""
    deadline = time.monotonic() + 60
    while True:  # a process may answer before the other has started
        listening = _listening_inodes(port)
        owned = {pid: _socket_inodes(pid) & listening for pid in _children(server.pid)}
        owned = {pid: inodes for pid, inodes in owned.items() if inodes}
        if len(owned) >= 2 or time.monotonic() > deadline:
            return owned
        time.sleep(0.2)


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes  # the process has gone
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def test_each_process_listens_on_a_socket_of_its_own(
    two_workers: tuple[subprocess.Popen[bytes], str],
) -> None:
    # One shared socket lets the busiest process accept most connections; a socket each
    # (SO_REUSEPORT) lets the kernel spread them.
    server, url = two_workers
    port = int(url.rsplit(":", 1)[1])
    owned = _own_listeners(server, port)

    assert len(owned) == 2, owned
    assert all(len(inodes) == 1 for inodes in owned.values())
    first, second = owned.values()
    assert first != second
    assert not _socket_inodes(server.pid) & _listening_inodes(port)  # it only holds the port
    assert {httpx.get(f"{url}/healthz").status_code for _ in range(20)} == {200}

    # A process that dies is replaced by one with a socket of its own.
    killed = next(iter(owned))
    os.kill(killed, signal.SIGKILL)
    time.sleep(1)
    replaced = _own_listeners(server, port)

    assert len(replaced) == 2, replaced
    assert killed not in replaced
    assert len(set().union(*replaced.values())) == 2
    assert httpx.get(f"{url}/healthz").status_code == 200


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "STRIPE_"))}
        env |= {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_CATALOG_PATH": str(CATALOG)}
        done = subprocess.run(
            [CLI, "serve", "--workers", "2", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use); choose another"
        " --port (or PORTAL_PORT) or stop what is using it"
    ]
