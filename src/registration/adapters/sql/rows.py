"""What each table's row holds, by column name; the column lists come from `schema`.

Both writers (one transaction through SQLAlchemy, and the group commit's prepared statement)
build their rows here, so a column added to a table is added in `schema`, in its migration and
in one function below (a test checks each function against its table).
"""

from typing import Any

import sqlalchemy as sa

from registration.adapters.sql.outbox_rows import OutboxMessage
from registration.adapters.sql.schema import entries, outbox
from registration.adapters.sql.times import as_utc
from registration.domain.email import Email
from registration.domain.entry import Entry

# Filled in later, not by the row's writer: the sequence by the database, the time by the relay.
_NOT_WRITTEN_ON_INSERT = {outbox.c.seq.name, outbox.c.published_at.name}

ENTRY_COLUMNS: tuple[sa.Column[Any], ...] = tuple(entries.columns)
OUTBOX_COLUMNS: tuple[sa.Column[Any], ...] = tuple(
    column for column in outbox.columns if column.name not in _NOT_WRITTEN_ON_INSERT
)


ENTRY_NAMES = tuple(column.name for column in ENTRY_COLUMNS)
OUTBOX_NAMES = tuple(column.name for column in OUTBOX_COLUMNS)


def entry_values(entry: Entry) -> tuple[Any, ...]:
    """A new entry's row, in the order of ENTRY_COLUMNS (tuples: the group commit's hot path)."""
    return (entry.id, entry.email.value, entry.email.key, entry.registered_at)


def outbox_values(message: OutboxMessage) -> tuple[Any, ...]:
    """A new outbox row, in the order of OUTBOX_COLUMNS."""
    return (
        message.event_id,
        message.event_type,
        message.payload,
        message.request_id,
        message.created_at,
        message.entry_id,
    )


def entry_from_row(row: Any) -> Entry:
    """An entry read back from a row of ENTRY_COLUMNS (SQLite hands back naive UTC times)."""
    return Entry(id=row.id, email=Email(row.email), registered_at=as_utc(row.registered_at))


def entry_row(entry: Entry) -> dict[str, Any]:
    return dict(zip(ENTRY_NAMES, entry_values(entry), strict=True))


def outbox_row(message: OutboxMessage) -> dict[str, Any]:
    return dict(zip(OUTBOX_NAMES, outbox_values(message), strict=True))
