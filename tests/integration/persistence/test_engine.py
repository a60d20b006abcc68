"""Engine construction: URL normalisation and SQLite tuning."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.persistence import async_database_url, check_database, create_engine


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
