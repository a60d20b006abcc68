from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.billing.version import SourceVersion, Verdict, refetched_version, should_apply

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def ev(seconds: float, event_id: str) -> SourceVersion:
    return SourceVersion(T + timedelta(seconds=seconds), event_id)


def read(seconds: float) -> SourceVersion:
    return SourceVersion(T + timedelta(seconds=seconds))


@pytest.mark.parametrize(
    ("existing", "incoming", "expected"),
    [
        (None, ev(0, "evt_a"), Verdict.APPLY),  # never seen: not lost
        (ev(0, "evt_a"), ev(1, "evt_b"), Verdict.APPLY),
        (ev(1, "evt_b"), ev(0, "evt_a"), Verdict.SKIP),  # older never overwrites newer
        (ev(0, "evt_a"), ev(0, "evt_a"), Verdict.SKIP),  # the same event again
        (ev(0, "evt_a"), ev(0.4, "evt_b"), Verdict.REFETCH),  # same second, other event
        (read(0.5), ev(0, "evt_b"), Verdict.REFETCH),  # a read in that second: unsure
        (ev(0, "evt_a"), read(1), Verdict.APPLY),
        (ev(0, "evt_a"), read(0.5), Verdict.SKIP),  # the event may be newer than the read
        (ev(2, "evt_a"), read(1), Verdict.SKIP),
        (read(3), read(3), Verdict.APPLY),
        (read(3), read(2), Verdict.SKIP),
        (None, read(0), Verdict.APPLY),
    ],
)
def test_ordering_rule(existing, incoming, expected) -> None:
    assert should_apply(existing, incoming) is expected


def test_always_refetch_reads_instead_of_trusting_the_payload() -> None:
    assert should_apply(None, ev(0, "evt_a"), always_refetch=True) is Verdict.REFETCH
    assert should_apply(ev(0, "a"), ev(5, "b"), always_refetch=True) is Verdict.REFETCH
    assert should_apply(ev(5, "b"), ev(0, "a"), always_refetch=True) is Verdict.SKIP


def test_a_refetch_is_never_older_than_what_it_was_read_after() -> None:
    skewed_read = T - timedelta(seconds=30)  # our clock behind Stripe's
    version = refetched_version(skewed_read, ev(0, "evt_a"), ev(0, "evt_b"))
    assert version.at == T
    assert version.is_read
    assert should_apply(version, ev(-1, "evt_old")) is Verdict.SKIP


@given(st.integers(0, 50), st.integers(0, 50), st.text(min_size=1), st.text(min_size=1))
def test_older_events_never_win(a: int, b: int, id_a: str, id_b: str) -> None:
    assume(id_a != id_b)  # event ids are unique
    verdict = should_apply(ev(a, id_a), ev(b, id_b))
    if b < a:
        assert verdict is Verdict.SKIP
    if b > a:
        assert verdict is Verdict.APPLY
