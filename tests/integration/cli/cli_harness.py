"""Shared names for the CLI tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

CATALOG = Path(__file__).resolve().parents[3] / "portal-configurations.toml"

Run = Callable[..., Result]
