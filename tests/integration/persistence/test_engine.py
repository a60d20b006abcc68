"""Engine construction: URL normalisation and SQLite tuning."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.persistence import async_database_url, check_database, create_engine
from adapters.persistence.engine import server_spoke_or_left


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgres://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("sqlite:///var/data/portal.db", "sqlite+aiosqlite:///var/data/portal.db"),
        ("sqlite:////abs/portal.db", "sqlite+aiosqlite:////abs/portal.db"),
        ("sqlite+aiosqlite:///portal.db", "sqlite+aiosqlite:///portal.db"),
    ],
)
def test_plain_urls_are_rewritten_for_the_async_drivers(given: str, expected: str) -> None:
    assert async_database_url(given) == expected


@pytest.mark.parametrize("url", ["mysql://u@db/app", "not a url"])
def test_unsupported_urls_are_refused_with_a_clear_message(url: str) -> None:
    with pytest.raises(ValueError, match="database URL"):
        async_database_url(url)


async def test_a_sqlite_file_gets_its_directory_and_safe_settings(tmp_path: Path) -> None:
    database = tmp_path / "nested" / "dir" / "portal.db"
    engine = create_engine(f"sqlite:///{database}")
    try:
        await check_database(engine)
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            }
    finally:
        await engine.dispose()

    assert database.exists()
    assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000}


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> socket.socket | None:
        return self.sock if name == "socket" else None


class _Driver:
    def __init__(self, sock: socket.socket) -> None:
        self._transport = _Transport(sock)


def test_a_socket_with_something_to_read_or_at_its_end_or_closed_counts_as_spoken() -> None:
    ours, server = socket.socketpair()
    try:
        driver = _Driver(ours)
        assert not server_spoke_or_left(driver)  # idle, as we left it
        server.send(b"E")  # the server's last message (a FATAL)
        assert server_spoke_or_left(driver)
        assert ours.recv(1) == b"E"  # a peek: it was left in the socket, now read
        assert not server_spoke_or_left(driver)
        server.close()  # the end
        assert server_spoke_or_left(driver)
    finally:
        ours.close()
        server.close()
    assert server_spoke_or_left(_Driver(ours))  # our socket closed


@pytest.mark.postgres
async def test_an_idle_pooled_connection_has_not_spoken(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            assert not server_spoke_or_left(raw.driver_connection)
    finally:
        await engine.dispose()
