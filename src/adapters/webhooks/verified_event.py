"""A verified webhook event: the mapping the body decodes to, with the body as sent.

The inbox stores the body as it came (``json``) instead of encoding the decoded event
again (a 3 KB event: the second encode and the dicts built for it were most of a
delivery's storing cost, docs/PERFORMANCE.md); every other reader sees the event's mapping.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class VerifiedEvent(Mapping[str, object]):
    """``json``: the body, which decodes (strictly) to ``event``, a JSON object."""

    __slots__ = ("_event", "json")

    def __init__(self, json: bytes, event: dict[str, Any]) -> None:
        self.json, self._event = json, event

    def get(self, key: str, default: Any = None) -> Any:
        return self._event.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self._event[key]

    def __contains__(self, key: object) -> bool:
        return key in self._event

    def __iter__(self) -> Iterator[str]:
        return iter(self._event)

    def __len__(self) -> int:
        return len(self._event)

    def __eq__(self, other: object) -> bool:
        return self._event == other if isinstance(other, Mapping) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"VerifiedEvent({self._event!r})"
