"""Loads the portal configuration catalog from its TOML file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from application.errors import CatalogInvalid
from domain.catalog import Catalog, CatalogError, parse_catalog


def load_catalog(path: Path) -> Catalog:
    """Read, parse and validate the catalog file.

    Raises ``CatalogInvalid`` naming the file: when it is missing or unreadable, when the
    TOML is malformed (with line and column), or listing every rule it breaks.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise CatalogInvalid(
            f"{source}: portal configuration catalog not found "
            "(set PORTAL_CATALOG_PATH or create the file)"
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogInvalid(f"{source}: cannot read the catalog: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogInvalid(f"{source}: invalid TOML: {error}") from error
    try:
        return parse_catalog(data, source=source)
    except CatalogError as error:
        raise CatalogInvalid(error.message) from error
