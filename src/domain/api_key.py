"""Server API keys: how the host app's servers prove who they are to this service."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

# Every key starts with this, so a key is recognisable in a config file or a leak scanner
# and a user's JWT sent by mistake is told apart from a wrong key.
API_KEY_PREFIX = "bpk_"
# How much of the key (prefix included) is kept in clear to recognise it in listings.
SHOWN_CHARACTERS = 8


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key's record; the key itself is shown once at creation and stored only hashed."""

    id: str
    name: str
    shown_prefix: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_api_key(key: str) -> str:
    """SHA-256 of the whole key, hex. Keys carry 256 random bits, so a fast hash suffices:
    nobody can guess a preimage, and looking a key up by its hash needs no salt."""
    return hashlib.sha256(key.encode()).hexdigest()
