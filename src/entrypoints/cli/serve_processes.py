"""Several server processes on one port, each accepting on a listening socket of its own.

uvicorn's ``--workers`` gives every process the same listening socket, and whichever
process wakes first accepts: under load the busier process keeps winning, so connections
pile up on one process while the other idles (counted with ``ss``: 28 of 32 connections
on one of two processes). Here each process binds its own socket with ``SO_REUSEPORT``
and the kernel spreads new connections over them by a hash of the connection's
addresses, as nginx's ``reuseport`` and gunicorn's ``--reuse-port`` do.

The supervising process keeps uvicorn's (health checks, restarts, SIGHUP, SIGTTIN/SIGTTOU,
draining on SIGTERM); it holds the port with a bound socket that never listens, so the
port is checked as the server starts and stays reserved while a process restarts. A
listening socket's own queue is the price: connections the kernel queued on a process
that then dies, not yet accepted, are reset (the client or proxy retries; Stripe
redelivers a webhook). Where ``SO_REUSEPORT`` does not exist the processes share one
socket, as uvicorn does.
"""

from __future__ import annotations

import logging
import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import multiprocess

logger = logging.getLogger("uvicorn.error")

SPREAD_BY_KERNEL = hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` that others of this user may bind too."""
    sock = socket.socket(family=_family(host))
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class OwnListenerProcess(multiprocess.Process):
    """A uvicorn worker process that listens on a socket of its own, not the parent's."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover
        for inherited in sockets or ():
            inherited.close()  # the supervisor's port holder: it never listens
        try:
            own = reuse_port_socket(self.config.host, self.config.port)
        except OSError as exc:  # e.g. another user's socket took the port meanwhile
            logger.error("cannot listen on %s:%s: %s", self.config.host, self.config.port, exc)
            sys.exit(STARTUP_FAILURE)
        super().target([own])


def hold_port(host: str, port: int) -> socket.socket:
    """The supervisor's bound, never listening socket on ``host:port`` (``port`` 0: one the
    system picks); ``OSError`` when the port is taken or the address is not this host's."""
    if not SPREAD_BY_KERNEL:  # pragma: no cover - Linux and the BSDs have it
        sock = socket.socket(family=_family(host))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        return sock
    return reuse_port_socket(host, port)


def run_processes(config: uvicorn.Config, holder: socket.socket) -> None:
    """Run ``config.workers`` processes of ``config``'s app on ``holder``'s address."""
    config.host, config.port = holder.getsockname()[:2]
    holder.set_inheritable(True)
    if SPREAD_BY_KERNEL:
        logger.info(
            "Uvicorn running on http://%s:%d, %d processes, a listening socket each",
            config.host,
            config.port,
            config.workers,
        )
        # uvicorn's supervisor makes its processes from this module's name, at start and
        # on every restart: this process (the supervisor) uses ours.
        multiprocess.Process = OwnListenerProcess  # type: ignore[misc]
    try:
        multiprocess.Multiprocess(config, sockets=[holder]).run()
    finally:
        holder.close()
