from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import eventlet
import sqlalchemy as sa

from registration.adapters.outbox.message import OutboxMessage
from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.errors import translated_errors
from registration.adapters.sql.schema import entries, outbox
from registration.application.errors import StorageUnavailable
from registration.domain.email import Email
from registration.domain.entry import Entry


class Database:
    """Connections with a deadline, and the writes and reads the adapters need."""

    def __init__(self, engine: sa.Engine, timeout_seconds: float) -> None:
        self.engine = engine
        self.timeout_seconds = timeout_seconds
        self.is_postgres = engine.dialect.name == "postgresql"

    @contextmanager
    def connection(self, timeout_seconds: float | None = None) -> Iterator[sa.Connection]:
        """A pooled connection; a call that outlives the deadline fails as unavailable.

        A cut network can leave a socket waiting for minutes: the green timeout bounds it, and a
        connection interrupted mid-call is discarded rather than reused.
        """
        with translated_errors():
            timeout = eventlet.Timeout(timeout_seconds or self.timeout_seconds)
            connection = None
            try:
                connection = self.engine.connect()
                yield connection
            except eventlet.Timeout as expired:
                if expired is not timeout:
                    raise
                if connection is not None:
                    connection.invalidate()
                raise StorageUnavailable("The database did not answer in time.") from None
            finally:
                timeout.cancel()
                if connection is not None:
                    connection.close()

    def write(self, changes: ChangeSet) -> None:
        with self.connection() as connection:
            if self.is_postgres:
                _write_in_one_statement(connection, changes)
            else:
                with connection.begin():
                    _write_in_one_transaction(connection, changes)

    def get_entry(self, entry_id: UUID) -> Entry | None:
        query = sa.select(entries.c.id, entries.c.email, entries.c.registered_at).where(
            entries.c.id == entry_id
        )
        with self.connection() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return Entry(id=row.id, email=Email(row.email), registered_at=row.registered_at)

    def ping(self) -> None:
        with self.connection() as connection:
            connection.exec_driver_sql("SELECT 1")


def _write_in_one_transaction(connection: sa.Connection, changes: ChangeSet) -> None:
    if changes.entries:
        connection.execute(entries.insert(), [_entry_row(e) for e in changes.entries])
    if changes.outbox:
        connection.execute(outbox.insert(), [_outbox_row(m) for m in changes.outbox])


def _write_in_one_statement(connection: sa.Connection, changes: ChangeSet) -> None:
    """PostgreSQL: one autocommitted statement, so one round trip for entry and outbox rows.

    A data-modifying CTE runs whether or not it is referenced, and the statement is atomic.
    """
    parts: list[str] = []
    params: list[Any] = []
    if changes.entries:
        parts.append(
            _values_insert("entries (id, email, email_key, registered_at)", 4, len(changes.entries))
        )
        for e in changes.entries:
            params += [str(e.id), e.email.value, e.email.key, e.registered_at]
    if changes.outbox:
        parts.append(
            _values_insert(
                "outbox (event_id, event_type, payload, request_id, created_at)",
                5,
                len(changes.outbox),
            )
        )
        for m in changes.outbox:
            params += [str(m.event_id), m.event_type, m.payload, m.request_id, m.created_at]
    if not parts:
        return
    *ctes, last = parts
    sql = (
        "WITH " + ", ".join(f"w{i} AS ({cte})" for i, cte in enumerate(ctes)) + " " + last
        if ctes
        else last
    )
    driver = connection.connection.dbapi_connection
    driver.autocommit = True
    try:
        with driver.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        if not driver.closed:
            driver.autocommit = False


def _values_insert(target: str, width: int, rows: int) -> str:
    row = "(" + ", ".join(["%s"] * width) + ")"
    return f"INSERT INTO {target} VALUES " + ", ".join([row] * rows)


def _entry_row(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "email": entry.email.value,
        "email_key": entry.email.key,
        "registered_at": entry.registered_at,
    }


def _outbox_row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "event_id": message.event_id,
        "event_type": message.event_type,
        "payload": message.payload,
        "request_id": message.request_id,
        "created_at": message.created_at,
    }
