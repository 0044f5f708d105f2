"""Storing an entry's new state over its row, in the caller's transaction."""

import sqlalchemy as sa

from registration.adapters.sql.schema import entries, entry_row
from registration.application.errors import EntryNotFound
from registration.domain.entry import Entry

_KEY = entries.c.id.name
_UPDATE = entries.update().where(entries.c.id == sa.bindparam("_entry_id", type_=sa.Uuid()))


def update_entry(connection: sa.Connection, entry: Entry) -> None:
    row = entry_row(entry)
    values = {name: value for name, value in row.items() if name != _KEY}
    # Erased since the use case read it: nothing of this unit of work is stored.
    if connection.execute(_UPDATE.values(**values), {"_entry_id": row[_KEY]}).rowcount == 0:
        raise EntryNotFound(f"No entry with id {str(entry.id)!r}.")
