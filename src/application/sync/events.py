"""The provider's event envelope, read defensively from the stored JSON."""

from __future__ import annotations

from dataclasses import dataclass

from application.sync.errors import InvalidEvent
from application.sync.json_fields import Json, flag, moment, section, text
from domain.billing.version import SourceVersion


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """``data.object`` as ``object``; ``data.previous_attributes`` (or empty) as ``previous``."""

    id: str
    type: str
    version: SourceVersion
    livemode: bool
    object: Json
    previous: Json

    @property
    def object_id(self) -> str | None:
        return text(self.object, "id")


def parse_event(payload: Json) -> ProviderEvent:
    event_id, event_type = text(payload, "id"), text(payload, "type")
    created = moment(payload, "created")
    if event_id is None or event_type is None or created is None:
        raise InvalidEvent("an event needs an id, a type and a created time")
    data = section(payload, "data")
    return ProviderEvent(
        id=event_id,
        type=event_type,
        version=SourceVersion(at=created, event_id=event_id),
        livemode=flag(payload, "livemode"),
        object=section(data, "object"),
        previous=section(data, "previous_attributes"),
    )
