"""structlog: JSON lines in production, readable console in development; no secrets."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any, BinaryIO

import msgspec
import structlog

_SECRET_KEYS = frozenset({"authorization", "token", "jwt", "secret", "api_key", "password"})


def _drop_secrets(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Belt and braces: a field named like a secret never reaches the output."""
    for key in [k for k in event if k.lower() in _SECRET_KEYS]:
        event[key] = "[redacted]"
    return event


_ENCODER = msgspec.json.Encoder(enc_hook=repr)


def render_json_bytes(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> bytes:
    """One JSON line as bytes, encoded by msgspec (several times faster than ``json``);
    a value it cannot encode is written as its ``repr``, as structlog's renderer does."""
    try:
        return _ENCODER.encode(event)
    except Exception:  # a key that is no string, a cycle: a log line must never fail
        try:
            return json.dumps(event, default=repr, skipkeys=True).encode()
        except Exception:
            plain = (str, int, float, bool, type(None))
            flat = {str(k): v if isinstance(v, plain) else repr(v) for k, v in event.items()}
            return json.dumps(flat).encode()


# Production's JSON lines, for ``log_request_completed``: the stream and the processors
# structlog was configured with (while they are others, e.g. a test capturing logs, the
# line takes the ordinary path), or None.
_json_lines: tuple[BinaryIO, list[Any]] | None = None
_access_log = structlog.get_logger("entrypoints.http")
_REQUEST_COMPLETED = "http.request.completed"


def log_request_completed(method: object, path: str, status: int, duration_ms: float) -> None:
    """The access line (``http.request.completed`` at INFO): exactly what
    ``log.info("http.request.completed", method=..., path=..., status=..., duration_ms=...)``
    writes, the context variables bound with structlog included. For production's JSON
    lines it is built here, without structlog's chain of processors (a third of the cost
    of a webhook delivery that is not the database's, docs/PERFORMANCE.md)."""
    fields = {"method": method, "path": path, "status": status, "duration_ms": duration_ms}
    log_info(_access_log, _REQUEST_COMPLETED, fields)


def log_info(logger: Any, event_name: str, fields: dict[str, Any]) -> None:
    """``logger.info(event_name, **fields)`` (a structlog logger with no bound values),
    written directly when structlog runs production's JSON lines: the same line, the
    context variables bound with structlog included, without its chain of processors.
    ``fields`` becomes the line's dict (do not reuse it)."""
    lines = _json_lines
    if lines is None or "exc_info" in fields or structlog.get_config()["processors"] != lines[1]:
        logger.info(event_name, **fields)
        return
    event = fields
    event["event"] = event_name
    # merge_contextvars: every variable structlog binds is one of its _CONTEXT_VARS.
    for name, variable in _structlog_context_variables().items():
        value = variable.get()
        if value is not Ellipsis:
            event.setdefault(name[_PREFIX_LENGTH:], value)
    event["level"] = "info"
    event["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    lines[0].write(render_json_bytes(None, "info", _drop_secrets(None, "info", event)) + b"\n")
    lines[0].flush()


def _structlog_context_variables() -> dict[str, contextvars.ContextVar[Any]]:
    return structlog.contextvars._CONTEXT_VARS  # a pinned structlog; tested


_PREFIX_LENGTH = len(structlog.contextvars.STRUCTLOG_KEY_PREFIX)


def configure_logging(log_format: str, level: str, *, cache_loggers: bool = False) -> None:
    """Configure structlog (and route the standard library's logs through the same output).

    JSON lines (production) are rendered by msgspec straight to bytes on stderr's buffer,
    one flushed write per line. ``cache_loggers``: a logger keeps the configuration of its
    first use (cheaper per line); only a long-running server or worker process, which
    configures logging once, asks for it: in-process callers (the tests, the CLI's one-shot
    commands) reconfigure or capture logging after loggers were first used."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    stream = getattr(sys.stderr, "buffer", None)
    as_bytes = log_format == "json" and stream is not None
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_secrets,
    ]
    processors = [
        *shared,
        structlog.processors.format_exc_info,
        render_json_bytes if as_bytes else renderer,
    ]
    global _json_lines  # the one configuration of the process
    info = logging.getLevelName(level) <= logging.INFO
    _json_lines = (stream, processors.copy()) if as_bytes and stream is not None and info else None
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=(
            structlog.BytesLoggerFactory(stream)
            if as_bytes
            else structlog.PrintLoggerFactory(sys.stderr)
        ),
        cache_logger_on_first_use=cache_loggers,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request line (with URLs) at INFO; keep it for debugging only.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    # The Stripe SDK logs each request and error at INFO in its own format; our adapter
    # reports what matters as application errors.
    logging.getLogger("stripe").setLevel(max(logging.WARNING, root.level))
