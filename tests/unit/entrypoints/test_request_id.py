"""Request ids: a safe X-Request-ID is kept, anything else gets a new random UUID's hex."""

from __future__ import annotations

import re
import uuid

from entrypoints.http.request_context import new_request_id, request_id_from


def test_a_new_request_id_is_a_random_version_4_uuid_in_hex() -> None:
    made = [new_request_id() for _ in range(2000)]

    assert len(set(made)) == len(made)
    for made_id in made:
        assert re.fullmatch(r"[0-9a-f]{32}", made_id)
        parsed = uuid.UUID(hex=made_id)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert parsed.hex == made_id
    # every other bit is random: each of the 122 is seen both set and clear
    ints = [int(made_id, 16) for made_id in made]
    fixed = (0xF000 << 64) | (0xC000 << 48)
    for bit in range(128):
        if not fixed >> bit & 1:
            assert {n >> bit & 1 for n in ints} == {0, 1}, bit


def test_a_safe_header_is_kept_and_an_unsafe_one_replaced() -> None:
    assert request_id_from("req-1.a:b_c") == "req-1.a:b_c"
    for unsafe in (None, "", "bad id!", "x" * 129):
        assert len(request_id_from(unsafe)) == 32
