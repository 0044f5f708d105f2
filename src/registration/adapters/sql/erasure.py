"""Erasing an entry: the entry row and every outbox row about it, in the caller's transaction.

A relay keeps the rows of the batch it is publishing locked until the broker confirmed them: the
delete waits for that batch, then removes its rows as well. A row still pending is deleted before
any relay claims it, and claims skip rows locked by this transaction, so its event never leaves.
"""

from uuid import UUID

import sqlalchemy as sa

from registration.adapters.sql.schema import entries, outbox
from registration.application.errors import EntryNotFound

_ENTRY = entries.delete().where(entries.c.id == sa.bindparam("entry_id", type_=sa.Uuid()))
_ITS_OUTBOX_ROWS = outbox.delete().where(
    outbox.c.entry_id == sa.bindparam("entry_id", type_=sa.Uuid())
)


def erase_entry(connection: sa.Connection, entry_id: UUID) -> None:
    # Another erasure may have committed since the use case read the entry: then this one
    # stores nothing, its event included.
    if connection.execute(_ENTRY, {"entry_id": entry_id}).rowcount == 0:
        raise EntryNotFound(f"No entry with id {str(entry_id)!r}.")
    connection.execute(_ITS_OUTBOX_ROWS, {"entry_id": entry_id})
