"""What each table's new row holds, by column name; the column lists come from `schema`.

Both writers (one transaction through SQLAlchemy, and the group commit's prepared statement)
build their rows here, so a column added to a table is added in `schema`, in its migration and
in one function below.
"""

from typing import Any

import sqlalchemy as sa

from registration.adapters.sql.outbox_rows import OutboxMessage
from registration.adapters.sql.schema import entries, outbox
from registration.domain.entry import Entry

# Filled in later, not by the row's writer: the sequence by the database, the time by the relay.
_NOT_WRITTEN_ON_INSERT = {outbox.c.seq.name, outbox.c.published_at.name}

ENTRY_COLUMNS: tuple[sa.Column[Any], ...] = tuple(entries.columns)
OUTBOX_COLUMNS: tuple[sa.Column[Any], ...] = tuple(
    column for column in outbox.columns if column.name not in _NOT_WRITTEN_ON_INSERT
)


def entry_row(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "email": entry.email.value,
        "email_key": entry.email.key,
        "registered_at": entry.registered_at,
    }


def outbox_row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "event_id": message.event_id,
        "event_type": message.event_type,
        "payload": message.payload,
        "request_id": message.request_id,
        "created_at": message.created_at,
        "entry_id": message.entry_id,
    }
