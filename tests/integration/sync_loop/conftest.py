"""The whole loop runs the app, which configures logging for the process: undo it after."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The app and the CLI configure structlog and the root logger for the process; put
    back what the other suites expect when each test ends."""
    saved, handlers, level = structlog.get_config(), logging.root.handlers[:], logging.root.level
    yield
    structlog.configure(**saved)
    logging.root.handlers[:], logging.root.level = handlers, level
