"""The app's ``Request``: a JSON body that cannot be decoded is the client's fault (400).

Litestar turns msgspec's ``DecodeError`` into a 400, but msgspec raises ``RecursionError``
for a body nested deeper than it will go and ``UnicodeDecodeError`` for a string that is not
UTF-8; left alone, both escape as a 500 before any handler runs.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException


class JsonSafeRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError as error:
            raise SerializationException("JSON is malformed: nested too deeply") from error
        except UnicodeDecodeError as error:
            raise SerializationException("JSON is malformed: not UTF-8") from error
