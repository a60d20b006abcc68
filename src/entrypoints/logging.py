"""structlog: JSON lines in production, readable console in development; no secrets."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import MutableMapping
from typing import Any

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
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            render_json_bytes if as_bytes else renderer,
        ],
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
