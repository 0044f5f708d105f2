from uuid import UUID

import sqlalchemy as sa

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.database import Database
from registration.adapters.sql.schema import ENTRY_COLUMNS, entries, entry_from_row
from registration.application.ports import EntryRepository
from registration.domain.entry import Entry

# Built once: constructing and keying a statement costs more CPU than running it.
_ENTRY_BY_ID = sa.select(*ENTRY_COLUMNS).where(
    entries.c.id == sa.bindparam("entry_id", type_=sa.Uuid())
)


class SqlEntryRepository(EntryRepository):
    """Stages new entries, updates and erasures in the unit of work's change set; a duplicate address,
    or an entry erased meanwhile, surfaces at commit."""

    def __init__(self, database: Database, changes: ChangeSet) -> None:
        self._database = database
        self._changes = changes

    def add(self, entry: Entry) -> None:
        self._changes.entries.append(entry)

    def get(self, entry_id: UUID) -> Entry | None:
        with self._database.connection() as connection:
            row = connection.execute(_ENTRY_BY_ID, {"entry_id": entry_id}).first()
        return None if row is None else entry_from_row(row)

    def update(self, entry: Entry) -> None:
        self._changes.updated_entries.append(entry)

    def remove(self, entry: Entry) -> None:
        self._changes.erased_entries.append(entry.id)
