"""What the service's database holds, read directly (never through the proxy)."""

import json
from dataclasses import dataclass

import psycopg2
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class StoredState:
    entries: dict[str, str]  # entry id -> email
    outbox_event_ids: dict[str, str]  # entry id -> the event_id its outbox row carries
    pending: int  # outbox rows not yet published


def read_stored_state(database_url: str) -> StoredState:
    url = make_url(database_url)
    connection = psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id::text, email FROM entries")
            entries = dict(cursor.fetchall())
            cursor.execute("SELECT event_id::text, payload, published_at IS NULL FROM outbox")
            rows = cursor.fetchall()
    finally:
        connection.close()
    return StoredState(
        entries=entries,
        outbox_event_ids={
            json.loads(payload)["entry_id"]: event_id for event_id, payload, _ in rows
        },
        pending=sum(1 for *_, pending in rows if pending),
    )
