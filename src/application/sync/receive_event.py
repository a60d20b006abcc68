"""Use case: keep a verified webhook event in the inbox (``POST /api/webhooks/stripe``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from application.errors import InvalidEvent, InvalidWebhook
from application.ports.billing_event_translator import BillingEventTranslator
from application.ports.clock import Clock
from application.ports.event_inbox import InboxEvent
from application.ports.event_intake import EventIntake


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    event_id: str
    type: str
    duplicate: bool  # the inbox already held it; nothing new was stored


class ReceiveEvent:
    """Store the event once by its id, committed before returning, so an answer of "received"
    always means "durable" (the intake may commit several deliveries together). The
    signature was verified by the caller. Any type is stored (the workers mark unknown
    ones ignored). Raises ``InvalidWebhook`` for an event of the other mode (live vs test)
    or without an id, a type and a created time, and ``PersistenceUnavailable`` when the
    database fails (the sender should retry)."""

    def __init__(
        self,
        intake: EventIntake,
        translator: BillingEventTranslator,
        clock: Clock,
        *,
        livemode: bool,
    ) -> None:
        self._intake, self._translator, self._clock = intake, translator, clock
        self._livemode = livemode

    async def execute(self, payload: Mapping[str, object]) -> ReceivedEvent:
        try:
            event = self._translator.envelope(payload)
        except InvalidEvent as error:
            raise InvalidWebhook(f"the body is not a Stripe event: {error.message}") from error
        if event.livemode is not self._livemode:
            expected, got = _mode(self._livemode), _mode(event.livemode)
            raise InvalidWebhook(
                f"event {event.id} is a {got} event; this endpoint accepts {expected} events only"
            )
        now = self._clock.now()
        stored = await self._intake.admit(
            InboxEvent(
                id=event.id,
                type=event.type,
                created=event.version.at,
                livemode=event.livemode,
                payload=payload,
                received_at=now,
                next_attempt_at=now,
            )
        )
        return ReceivedEvent(event.id, event.type, duplicate=not stored)


def _mode(livemode: bool) -> str:
    return "live-mode" if livemode else "test-mode"
