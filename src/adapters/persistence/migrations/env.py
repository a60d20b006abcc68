"""Alembic environment: runs on the async drivers through ``run_sync``.

Callers hand over an open connection (``config.attributes["connection"]``, see
``adapters.persistence.migrate``); offline mode (``--sql``) renders SQL for a URL. SQLite
uses batch mode so ALTERs become table copies.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from adapters.persistence.tables import metadata

config = context.config


def run_migrations_online(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=str(url).startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations through adapters.persistence.migrate.upgrade_database(url)"
        )
    run_migrations_online(connection)
