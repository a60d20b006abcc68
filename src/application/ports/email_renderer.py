from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class EmailRenderer(Protocol):
    """Turns a template name and its JSON context into subject, plain text and HTML.

    Raises ``UnknownEmailTemplate`` for a name it does not have.
    """

    def render(self, template: str, context: Mapping[str, object]) -> RenderedEmail: ...
