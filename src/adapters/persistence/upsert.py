"""``INSERT ... ON CONFLICT DO UPDATE`` for the two dialects we support."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def upsert(
    dialect_name: str,
    table: Table,
    values: Mapping[str, Any],
    *,
    conflict_on: Iterable[str],
    update: Iterable[str],
) -> Insert:
    """Insert ``values``; on a conflict over ``conflict_on`` overwrite the ``update`` columns."""
    statement = dialect_insert(dialect_name, table).values(**values)
    return statement.on_conflict_do_update(
        index_elements=list(conflict_on),
        set_={column: statement.excluded[column] for column in update},
    )


def dialect_insert(dialect_name: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own ``insert`` (the one with ``on_conflict_do_update``)."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upsert is not implemented for {dialect_name!r}")
