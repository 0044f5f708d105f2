"""Storing an entry's new state over its row, in the caller's transaction, only over the version
it was made from (optimistic concurrency: of two changes made from one reading, one is stored)."""

import sqlalchemy as sa

from registration.adapters.sql.schema import entries, entry_row
from registration.application.errors import EntryChanged, EntryNotFound
from registration.domain.entry import Entry

_KEY = entries.c.id.name
_UPDATE = entries.update().where(
    entries.c.id == sa.bindparam("_entry_id", type_=sa.Uuid()),
    entries.c.version == sa.bindparam("_previous_version", type_=sa.Integer()),
)
_EXISTS = sa.select(entries.c.id).where(entries.c.id == sa.bindparam("_entry_id", type_=sa.Uuid()))


def update_entry(connection: sa.Connection, entry: Entry) -> None:
    row = entry_row(entry)
    values = {name: value for name, value in row.items() if name != _KEY}
    keys = {"_entry_id": row[_KEY], "_previous_version": entry.version - 1}
    if connection.execute(_UPDATE.values(**values), keys).rowcount == 1:
        return
    # Nothing of this unit of work is stored: say whether the entry went or only changed.
    if connection.execute(_EXISTS, {"_entry_id": row[_KEY]}).first() is None:
        raise EntryNotFound(f"No entry with id {str(entry.id)!r}.")
    raise EntryChanged()
