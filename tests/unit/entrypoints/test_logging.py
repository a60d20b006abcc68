"""Production log lines: JSON rendered by msgspec, secrets redacted, never a failure."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import structlog
import structlog.testing

from entrypoints.logging import (
    configure_logging,
    log_info,
    log_request_completed,
    render_json_bytes,
)


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


def _json_lines_of(capfd, write_lines) -> list[dict[str, object]]:
    saved, handlers, level = structlog.get_config(), logging.root.handlers[:], logging.root.level
    try:
        configure_logging("json", "INFO")
        write_lines()
    finally:
        structlog.configure(**saved)
        logging.root.handlers[:], logging.root.level = handlers, level
    return [json.loads(line) for line in capfd.readouterr().err.splitlines()]


def test_the_access_line_is_the_line_structlog_writes(capfd) -> None:
    def both() -> None:
        tokens = structlog.contextvars.bind_contextvars(request_id="r-1", secret="s")
        try:
            structlog.get_logger("entrypoints.http").info(
                "http.request.completed", method="POST", path="/p", status=200, duration_ms=1.5
            )
            log_request_completed("POST", "/p", 200, 1.5)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
        log_request_completed("GET", "/q", 404, 0.1)  # nothing bound any more

    structlog_line, quick_line, unbound = _json_lines_of(capfd, both)

    timestamps = structlog_line.pop("timestamp"), quick_line.pop("timestamp")
    assert all(isinstance(t, str) and t.endswith("Z") for t in timestamps)
    assert quick_line == structlog_line
    assert quick_line["secret"] == "[redacted]"
    assert "request_id" not in unbound
    assert unbound["status"] == 404


def test_the_access_line_goes_through_structlog_when_it_is_configured_otherwise() -> None:
    saved = structlog.get_config()
    try:
        configure_logging("json", "INFO")
        with structlog.testing.capture_logs() as captured:
            log_request_completed("POST", "/p", 200, 1.5)
    finally:
        structlog.configure(**saved)

    assert captured == [
        {"method": "POST", "path": "/p", "status": 200, "duration_ms": 1.5,
         "event": "http.request.completed", "log_level": "info"}
    ]  # fmt: skip


def test_no_access_line_above_info(capfd) -> None:
    saved = structlog.get_config()
    try:
        configure_logging("json", "WARNING")
        log_request_completed("POST", "/p", 200, 1.5)
    finally:
        structlog.configure(**saved)

    assert capfd.readouterr().err == ""


def test_any_info_line_is_the_line_structlog_writes_with_its_keys_in_order(capfd) -> None:
    def fields() -> dict[str, object]:
        return {"user_id": "u_1", "outcome": "portal", "segment": None, "api_key": "k",
                "occurred_at": "2026-01-02T00:00:00+00:00", "flow": None}  # fmt: skip

    def both() -> None:
        tokens = structlog.contextvars.bind_contextvars(request_id="r-1")
        try:
            structlog.get_logger("billing_portal.audit").info("portal.access.decided", **fields())
            log_info(
                structlog.get_logger("billing_portal.audit"), "portal.access.decided", fields()
            )
        finally:
            structlog.contextvars.reset_contextvars(**tokens)

    structlog_line, quick_line = _json_lines_of(capfd, both)

    timestamps = structlog_line.pop("timestamp"), quick_line.pop("timestamp")
    assert all(isinstance(t, str) and t.endswith("Z") for t in timestamps)
    assert list(quick_line.items()) == list(structlog_line.items())
    assert (quick_line["api_key"], quick_line["request_id"]) == ("[redacted]", "r-1")


def test_an_info_line_with_an_exception_or_captured_goes_through_structlog(capfd) -> None:
    saved = structlog.get_config()
    try:
        configure_logging("json", "INFO")
        try:
            raise ValueError("boom")
        except ValueError as error:
            log_info(structlog.get_logger("t"), "failed", {"exc_info": error})
        with structlog.testing.capture_logs() as captured:
            log_info(structlog.get_logger("t"), "x", {"a": 1})
    finally:
        structlog.configure(**saved)

    [line] = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert "ValueError: boom" in line["exception"]
    assert captured == [{"a": 1, "event": "x", "log_level": "info"}]
