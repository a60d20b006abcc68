"""Interleaved rounds: every case runs one batch per round, in a rotating order, so drift
and noise on this shared machine fall on a case and its baseline alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .cases import Case


@dataclass
class Tally:
    batch_seconds: list[float] = field(default_factory=list)  # one per round
    requests: int = 0
    provider_calls: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / sum(self.batch_seconds)


def run_rounds(
    cases: Sequence[Case], rounds: int, batch: int, provider_calls: Callable[[], int]
) -> dict[str, Tally]:
    """``rounds`` x ``batch`` requests per case, after one uncounted warm-up batch each."""
    for case in cases:
        for _ in range(batch):
            case.send()
    tallies = {case.name: Tally() for case in cases}
    for round_number in range(rounds):
        shift = round_number % len(cases)
        for case in [*cases[shift:], *cases[:shift]]:
            calls_before = provider_calls()
            started = time.perf_counter()
            for _ in range(batch):
                case.send()
            tally = tallies[case.name]
            tally.batch_seconds.append(time.perf_counter() - started)
            tally.requests += batch
            tally.provider_calls += provider_calls() - calls_before
    return tallies


def table(cases: Sequence[Case], tallies: dict[str, Tally]) -> str:
    """Markdown. ``x baseline``: this case's time per request over its baseline's, taken per
    round (both batches ran within seconds of each other), median and range over rounds."""
    lines = [
        "| case | baseline | requests | req/s | x baseline (median) | rounds min-max "
        "| provider calls/req |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for case in cases:
        tally = tallies[case.name]
        ratio = spread = "-"
        if case.baseline is not None:
            base = tallies[case.baseline].batch_seconds
            pairs = zip(tally.batch_seconds, base, strict=True)
            per_round = [ours / theirs for ours, theirs in pairs]
            ratio = f"{statistics.median(per_round):.2f}"
            spread = f"{min(per_round):.2f}-{max(per_round):.2f}"
        calls = tally.provider_calls / tally.requests
        lines.append(
            f"| {case.name} | {case.baseline or '-'} | {tally.requests} "
            f"| {tally.per_second:.0f} | {ratio} | {spread} | {calls:.2f} |"
        )
    return "\n".join(lines)
