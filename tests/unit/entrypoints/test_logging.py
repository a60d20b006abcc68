"""Production log lines: JSON rendered by msgspec, secrets redacted, never a failure."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import structlog

from entrypoints.logging import configure_logging, render_json_bytes


def test_a_line_is_json_with_values_it_cannot_encode_as_their_repr() -> None:
    marker = object()
    line = render_json_bytes(
        None, "info", {"event": "x", "at": datetime(2026, 1, 2, tzinfo=UTC), "o": marker}
    )

    assert json.loads(line) == {"event": "x", "at": "2026-01-02T00:00:00Z", "o": repr(marker)}


def test_a_line_msgspec_refuses_is_still_written() -> None:
    cycle: list[object] = []
    cycle.append(cycle)

    line = render_json_bytes(None, "info", {"event": "x", "keys": {(1, 2): "tuple key"}})
    assert json.loads(line)["event"] == "x"
    assert json.loads(render_json_bytes(None, "info", {"event": "y", "c": cycle}))["event"] == "y"


def test_json_logs_redact_secrets_and_carry_the_level_and_time(capfd) -> None:
    saved, handlers, level = structlog.get_config(), logging.root.handlers[:], logging.root.level
    try:
        configure_logging("json", "INFO")
        structlog.get_logger("test").info("signed.in", token="abc", user="u_1")
        structlog.get_logger("test").debug("not.shown")
        logging.getLogger("stdlib").warning("plain %s", "line")
    finally:
        structlog.configure(**saved)
        logging.root.handlers[:], logging.root.level = handlers, level

    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == ["signed.in", "plain line"]
    assert lines[0]["token"] == "[redacted]"
    assert (lines[0]["user"], lines[0]["level"]) == ("u_1", "info")
    assert lines[0]["timestamp"].endswith("Z")
