"""The ingest baseline: pgbench inserting the same events into a copy of ``webhook_events``.

One ``INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id`` per transaction, the columns
the webhook route writes, a payload from the same templates the webhook bodies use (one
script per event type, picked at random), a fresh random id each time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.environment import BenchDatabase

COPY = "pgbench_webhook_events"


async def create_copy(database: BenchDatabase) -> None:
    await database.fetch_value(f"CREATE TABLE {COPY} (LIKE webhook_events INCLUDING ALL)")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_scripts(directory: Path, templates: list[dict[str, Any]]) -> list[Path]:
    by_type: dict[str, dict[str, Any]] = {}
    for event in templates:
        by_type.setdefault(event["type"], event)
    scripts = []
    for number, event in enumerate(by_type.values()):
        payload = json.dumps(event, separators=(",", ":"))
        script = directory / f"pgbench_{number}.sql"
        script.write_text(
            "\\set n random(1, 1000000000000000)\n"
            f"INSERT INTO {COPY} (id, type, created, livemode, payload, status, attempts, "
            "next_attempt_at, received_at) VALUES ('evt_pgb_' || :n, "
            f"{_literal(event['type'])}, to_timestamp({int(event['created'])}), false, "
            f"{_literal(payload)}, 'pending', 0, now(), now()) "
            "ON CONFLICT (id) DO NOTHING RETURNING id;\n"
        )
        scripts.append(script)
    return scripts


def connection_args(database: BenchDatabase) -> list[str]:
    return ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres", database.name]
