"""Erasing entries: the entry rows and every outbox row about them, in the caller's transaction,
in two statements however many entries (an operator's one, or a batch of the expiry sweep).

A relay keeps the rows of the batch it is publishing locked until the broker confirmed them: the
delete waits for that batch, then removes its rows as well. A row still pending is deleted before
any relay claims it, and claims skip rows locked by this transaction, so its event never leaves.
"""

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa

from registration.adapters.sql.schema import entries, outbox
from registration.application.errors import EntryNotFound

_ENTRIES = (
    entries.delete()
    .where(entries.c.id.in_(sa.bindparam("entry_ids", expanding=True, type_=sa.Uuid())))
    .returning(entries.c.id)
)
_THEIR_OUTBOX_ROWS = outbox.delete().where(
    outbox.c.entry_id.in_(sa.bindparam("entry_ids", expanding=True, type_=sa.Uuid()))
)


def erase_entries(connection: sa.Connection, entry_ids: Sequence[UUID]) -> None:
    # Another erasure may have committed since the use case read an entry: then this one
    # stores nothing, its events included.
    erased = set(connection.execute(_ENTRIES, {"entry_ids": list(entry_ids)}).scalars())
    missing = [entry_id for entry_id in entry_ids if entry_id not in erased]
    if missing:
        raise EntryNotFound(f"No entry with id {str(missing[0])!r}.")
    connection.execute(_THEIR_OUTBOX_ROWS, {"entry_ids": list(entry_ids)})
