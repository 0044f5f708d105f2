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
    url = make_url(database_url)
    connection = psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    )
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
