"""KeepAlivePoolTransport against a loopback HTTP/1.1 server: connections are reused,
bounded, and replaced when the server closed them."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapters.stripe.keepalive_pool import KeepAlivePoolTransport
from adapters.stripe.metered_http_client import MeteredHTTPXClient


@dataclass
class Server:
    url: str = ""
    accepted: int = 0
    open_now: int = 0
    most_open: int = 0
    close_after_reply: bool = False
    waiting: int = 0  # requests held at the gate
    three_waiting: asyncio.Event = field(default_factory=asyncio.Event)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    closed: asyncio.Event = field(default_factory=asyncio.Event)


async def _serve(
    server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    server.accepted += 1
    server.open_now += 1
    server.most_open = max(server.most_open, server.open_now)
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            server.waiting += 1
            if server.waiting == 3:
                server.three_waiting.set()
            await server.gate.wait()
            server.waiting -= 1
            reply = b'{"echo": "%s"}' % body
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(reply), reply))
            await writer.drain()
            if server.close_after_reply:
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        server.open_now -= 1
        writer.close()
        await writer.wait_closed()
        server.closed.set()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    state.gate.set()
    listening = await asyncio.start_server(lambda r, w: _serve(state, r, w), "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    state.url = f"http://127.0.0.1:{port}/v1/things"
    async with listening:
        yield state


async def test_one_connection_serves_request_after_request(server: Server) -> None:
    async with httpx.AsyncClient(transport=KeepAlivePoolTransport()) as client:
        for n in range(5):
            reply = await client.post(server.url, content=b"n%d" % n)
            assert reply.json() == {"echo": f"n{n}"}
    assert server.accepted == 1


async def test_concurrent_requests_open_at_most_max_connections_and_reuse_them(
    server: Server,
) -> None:
    transport = KeepAlivePoolTransport(max_connections=3)
    async with httpx.AsyncClient(transport=transport) as client:
        for _ in range(2):
            server.gate.clear()
            server.three_waiting.clear()
            sending = [
                asyncio.ensure_future(client.post(server.url, content=b"x")) for _ in range(8)
            ]
            await server.three_waiting.wait()  # the three allowed are in; five wait
            assert server.waiting == 3
            server.gate.set()
            replies = await asyncio.gather(*sending)
            assert all(r.status_code == 200 for r in replies)
    assert server.most_open == 3
    assert server.accepted == 3  # the second burst reused the first one's connections


async def test_a_connection_the_server_closed_is_replaced(server: Server) -> None:
    server.close_after_reply = True
    async with httpx.AsyncClient(transport=KeepAlivePoolTransport()) as client:
        assert (await client.post(server.url, content=b"a")).status_code == 200
        await server.closed.wait()
        assert (await client.post(server.url, content=b"b")).json() == {"echo": "b"}
    assert server.accepted == 2


def test_the_stripe_client_uses_it_unless_the_environment_names_a_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    direct = MeteredHTTPXClient(timeout=5)
    assert isinstance(direct._client_async._transport, KeepAlivePoolTransport)

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    proxied = MeteredHTTPXClient(timeout=5)
    assert not isinstance(proxied._client_async._transport, KeepAlivePoolTransport)
    assert proxied._client_async._mounts  # httpx routes through the proxy itself


async def _raw_server(replies: list[bytes], *, hold: float = 0.0) -> tuple[asyncio.Server, str]:
    """A server answering each request (read up to its blank line) with the next reply
    as it is; ``hold`` seconds before each; closes after the last."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while replies:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(hold)
                writer.write(replies.pop(0))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    return listening, f"http://127.0.0.1:{port}/v1/x?a=1"


async def _exchange(
    transport: KeepAlivePoolTransport, url: str, read: float | None = 5.0
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    target = httpcore.URL(url)
    headers = [(b"Host", target.host)]
    timeouts = {"connect": 5.0, "read": read, "pool": 5.0}
    return await transport.exchange(b"GET", target, headers, None, timeouts)


async def test_exchange_reads_length_chunked_and_to_the_end_bodies() -> None:
    listening, url = await _raw_server(
        [
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nRequest-Id: req_1\r\n\r\nhello",
            b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nTrailer: t\r\n\r\n",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.0 200 OK\r\n\r\nuntil the end",
        ]
    )
    async with listening:
        transport = KeepAlivePoolTransport()
        try:
            status, headers, body = await _exchange(transport, url)
            assert (status, body) == (200, b"hello")
            assert (b"Request-Id", b"req_1") in headers
            assert (await _exchange(transport, url))[::2] == (201, b"abcde")
            assert (await _exchange(transport, url))[::2] == (204, b"")
            assert (await _exchange(transport, url))[::2] == (200, b"until the end")
        finally:
            await transport.aclose()


async def test_exchange_reuses_a_kept_connection_and_not_a_closed_one(server: Server) -> None:
    transport = KeepAlivePoolTransport()
    try:
        for _ in range(3):
            assert (await _exchange(transport, server.url))[0] == 200
        assert server.accepted == 1
        server.close_after_reply = True
        assert (await _exchange(transport, server.url))[0] == 200
        await server.closed.wait()
        server.close_after_reply = False
        assert (await _exchange(transport, server.url))[0] == 200
        assert server.accepted == 2
    finally:
        await transport.aclose()


async def test_exchange_failures_are_httpx_errors() -> None:
    listening, url = await _raw_server([b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"], hold=1)
    async with listening:
        transport = KeepAlivePoolTransport()
        try:
            with pytest.raises(httpx.ReadTimeout):
                await _exchange(transport, url, read=0.05)
        finally:
            await transport.aclose()
    listening, url = await _raw_server([b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"])
    async with listening:
        transport = KeepAlivePoolTransport()
        try:
            with pytest.raises(httpx.RemoteProtocolError):
                await _exchange(transport, url)
        finally:
            await transport.aclose()
    transport = KeepAlivePoolTransport()
    with pytest.raises(httpx.ConnectError):
        await _exchange(transport, url)  # nobody listens there any more


def _tls_pair(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throwaway CA, a certificate it signed for ``localhost``, and the two contexts:
    the server's and a client's that trusts only that CA."""
    now = datetime.now(UTC)

    def certificate(
        subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer: Any, ca: bool
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            names = [x509.DNSName("localhost")]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = certificate("test CA", ca_key, ca_name, ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = certificate("localhost", server_key, ca_name, ca_key, ca=False)
    (tmp_path / "server.pem").write_bytes(
        server.public_bytes(serialization.Encoding.PEM)
        + server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(tmp_path / "server.pem")
    client_context = ssl.create_default_context(
        cadata=ca.public_bytes(serialization.Encoding.PEM).decode()
    )
    return server_context, client_context


async def test_exchange_over_tls_checks_the_certificate_and_keeps_the_connection(
    tmp_path: Path,
) -> None:
    """Stripe is reached over HTTPS: the certificate is verified against the trusted CAs
    and the server's name (an untrusted one is a ConnectError), and a verified
    connection is kept for the next request."""
    server_context, client_context = _tls_pair(tmp_path)
    accepted = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    listening = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_context)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        trusting = KeepAlivePoolTransport(verify=client_context)
        try:
            for _ in range(2):
                assert (await _exchange(trusting, f"https://localhost:{port}/v1/x"))[::2] == (
                    200,
                    b"ok",
                )
            assert accepted == 1
        finally:
            await trusting.aclose()
        default = KeepAlivePoolTransport()  # the system's CAs: this certificate is unknown
        try:
            with pytest.raises(httpx.ConnectError):
                await _exchange(default, f"https://localhost:{port}/v1/x")
        finally:
            await default.aclose()
        wrong_name = KeepAlivePoolTransport(verify=client_context)
        try:  # a trusted certificate for another name
            with pytest.raises(httpx.ConnectError):
                await _exchange(wrong_name, f"https://127.0.0.1:{port}/v1/x")
        finally:
            await wrong_name.aclose()
