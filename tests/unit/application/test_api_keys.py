"""Server API keys: shown once, stored hashed, several active, revocable."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from tests.fakes import FakeApiKeyStore, FakeClock, FakeTransactionManager
from tests.unit.builders import NOW

from application.api_keys.authenticate_api_key import AuthenticateApiKey
from application.api_keys.create_api_key import CreateApiKey
from application.api_keys.list_api_keys import ListApiKeys
from application.api_keys.revoke_api_key import RevokeApiKey
from application.errors import ApiKeyNotFound, InvalidRequest, NotAuthenticated


class KeyWorld:
    def __init__(self) -> None:
        self.store = FakeApiKeyStore()
        self.clock = FakeClock(NOW)
        self.transaction = FakeTransactionManager(self.store)
        self.create = CreateApiKey(self.store, self.clock, self.transaction)
        self.revoke = RevokeApiKey(self.store, self.clock, self.transaction)
        self.authenticate = AuthenticateApiKey(self.store)


async def test_a_new_key_is_random_committed_and_stored_only_as_its_sha256() -> None:
    world = KeyWorld()

    one = await world.create.execute("web app")
    two = await world.create.execute("web app")

    assert one.key.startswith("bpk_")
    assert len(one.key) >= 40
    assert one.key != two.key
    assert one.record.id != two.record.id
    assert world.store.hashes == [
        hashlib.sha256(k.encode()).hexdigest() for k in (one.key, two.key)
    ]
    assert one.key not in repr(world.store.committed)
    assert one.record.shown_prefix == one.key[:8]
    assert (one.record.name, one.record.created_at, one.record.active) == ("web app", NOW, True)
    assert world.transaction.commits == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_a_key_needs_a_name(name: str) -> None:
    world = KeyWorld()
    with pytest.raises(InvalidRequest, match="name must be 1 to 100 characters"):
        await world.create.execute(name)
    assert world.store.hashes == []


async def test_several_keys_work_at_once_and_a_revoked_one_stops_working() -> None:
    world = KeyWorld()
    old = await world.create.execute("old")
    world.clock.advance(timedelta(minutes=1))
    new = await world.create.execute("new")
    world.clock.advance(timedelta(hours=1))

    assert (await world.authenticate.execute(f"Bearer {old.key}")).id == old.record.id
    revoked = await world.revoke.execute(old.record.id)

    assert revoked.revoked_at == NOW + timedelta(hours=1, minutes=1)
    assert (await world.authenticate.execute(f"Bearer {new.key}")).id == new.record.id
    with pytest.raises(NotAuthenticated, match="unknown or revoked"):
        await world.authenticate.execute(f"Bearer {old.key}")
    listed = await ListApiKeys(world.store).execute()
    assert [(k.id, k.active) for k in listed] == [(old.record.id, False), (new.record.id, True)]


async def test_revoking_twice_keeps_the_first_time_and_an_unknown_id_is_not_found() -> None:
    world = KeyWorld()
    key = await world.create.execute("k")
    first = await world.revoke.execute(key.record.id)
    world.clock.advance(timedelta(days=1))

    assert (await world.revoke.execute(key.record.id)).revoked_at == first.revoked_at
    with pytest.raises(ApiKeyNotFound, match="no API key 'key_nope'"):
        await world.revoke.execute("key_nope")


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (None, "missing Authorization header"),
        ("Basic abc", "must be 'Bearer <API key>'"),
        ("Bearer ", "must be 'Bearer <API key>'"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "not a user token"),
        ("Bearer bpk_guessed", "unknown or revoked"),
    ],
)
async def test_refusals_say_why_without_echoing_the_key(header: str | None, words: str) -> None:
    world = KeyWorld()
    await world.create.execute("k")

    with pytest.raises(NotAuthenticated) as refused:
        await world.authenticate.execute(header)

    assert words in refused.value.message
    assert "bpk_guessed" not in refused.value.message
