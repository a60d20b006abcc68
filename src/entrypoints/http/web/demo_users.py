"""The demo users the sandbox's sign-in lists; the composition root supplies them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

import msgspec


class DemoUser(msgspec.Struct, frozen=True):
    """A seeded user someone may sign in as, in sandbox mode only."""

    user_id: str
    email: str
    segment: str
    description: str


DemoUserSource = Callable[[], Awaitable[Sequence[DemoUser]]]
"""Returns the demo users now (e.g. the sandbox's seeded records)."""


def static_demo_users(users: Iterable[DemoUser]) -> DemoUserSource:
    """A source for a fixed list, such as the records ``seed_demo`` returned."""
    fixed = tuple(users)

    async def source() -> Sequence[DemoUser]:
        return fixed

    return source
