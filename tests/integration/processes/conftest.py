"""Each test gets a fresh PostgreSQL database (migrated) and a fleet of real processes on
it, all stopped and the database dropped when the test ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fleet import Fleet
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import create_engine, upgrade_database_async


@pytest.fixture
async def fleet_database(postgres_server: Any) -> AsyncIterator[str]:
    """A brand-new migrated database, as the plain ``postgresql://`` URL operators set
    (``postgres_server``: the session's server, from ``tests/integration/conftest.py``)."""
    url = await postgres_server.create_database()
    try:
        engine = create_engine(url)
        try:
            await upgrade_database_async(engine)
        finally:
            await engine.dispose()
        yield make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    finally:
        await postgres_server.drop_database(url)


@pytest.fixture
async def database(fleet_database: str) -> AsyncIterator[AsyncEngine]:
    """The test's own connection to the fleet's database, to read what the fleet did."""
    engine = create_engine(fleet_database)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def make_fleet(fleet_database: str, tmp_path: Path) -> Iterator[Callable[..., Fleet]]:
    """``make_fleet(**settings)``: a fleet on the test's database; every process it
    started is stopped when the test ends (the logs stay in ``tmp_path``)."""
    fleets: list[Fleet] = []

    def build(**settings: str) -> Fleet:
        fleet = Fleet(fleet_database, tmp_path / f"fleet-{len(fleets)}", **settings)
        fleet.directory.mkdir()
        fleets.append(fleet)
        return fleet

    yield build
    for fleet in fleets:
        fleet.stop_all()
