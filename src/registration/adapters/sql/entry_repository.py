from uuid import UUID

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.database import Database
from registration.application.ports import EntryRepository
from registration.domain.entry import Entry


class SqlEntryRepository(EntryRepository):
    """Stages new entries, updates and erasures in the unit of work's change set; a duplicate address,
    or an entry erased meanwhile, surfaces at commit."""

    def __init__(self, database: Database, changes: ChangeSet) -> None:
        self._database = database
        self._changes = changes

    def add(self, entry: Entry) -> None:
        self._changes.entries.append(entry)

    def get(self, entry_id: UUID) -> Entry | None:
        return self._database.get_entry(entry_id)

    def update(self, entry: Entry) -> None:
        self._changes.updated_entries.append(entry)

    def remove(self, entry: Entry) -> None:
        self._changes.erased_entries.append(entry.id)
