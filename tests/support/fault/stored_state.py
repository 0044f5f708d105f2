"""What the service's database holds, read directly (never through the proxy)."""

from dataclasses import dataclass

import psycopg2
from sqlalchemy.engine import make_url

from tests.support.fault import ANNOUNCED_EVENT


@dataclass(frozen=True)
class StoredState:
    entries: dict[str, str]  # entry id -> email
    outbox_event_ids: dict[str, str]  # entry id -> the event_id its announcement's row carries
    pending: int  # outbox rows not yet published, of any type

    def addresses(self) -> set[str]:
        return set(self.entries.values())


def read_stored_state(database_url: str) -> StoredState:
    connection = _connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id::text, email FROM entries")
            entries = dict(cursor.fetchall())
            cursor.execute(
                "SELECT entry_id::text, event_id::text FROM outbox WHERE event_type = %s",
                (ANNOUNCED_EVENT,),
            )
            outbox_event_ids = dict(cursor.fetchall())
            cursor.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            (pending,) = cursor.fetchone()
    finally:
        connection.close()
    return StoredState(entries, outbox_event_ids, pending)


def outbox_event_ids(database_url: str, event_type: str) -> dict[str, str]:
    """entry id -> the event id of its outbox row of `event_type` (one per entry and type)."""
    return dict(
        _rows(
            database_url,
            "SELECT entry_id::text, event_id::text FROM outbox WHERE event_type = %s",
            (event_type,),
        )
    )


def confirmed_entry_ids(database_url: str) -> set[str]:
    rows = _rows(database_url, "SELECT id::text FROM entries WHERE confirmed_at IS NOT NULL", ())
    return {entry_id for (entry_id,) in rows}


def _rows(database_url: str, query: str, parameters: tuple[object, ...]) -> list[tuple]:
    connection = _connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, parameters)
            return cursor.fetchall()
    finally:
        connection.close()


def _connect(database_url: str) -> "psycopg2.extensions.connection":
    url = make_url(database_url)
    return psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    )
