from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.database import Database
from registration.adapters.sql.schema import ENTRY_COLUMNS, entries, entry_from_row
from registration.application.ports import EntryRepository
from registration.domain.email import Email
from registration.domain.entry import Entry

# Built once: constructing and keying a statement costs more CPU than running it.
_ENTRY_BY_ID = sa.select(*ENTRY_COLUMNS).where(
    entries.c.id == sa.bindparam("entry_id", type_=sa.Uuid())
)
_ENTRY_BY_KEY = sa.select(*ENTRY_COLUMNS).where(entries.c.email_key == sa.bindparam("email_key"))
# Walks the partial index of pending entries, oldest expiry first.
_EXPIRED = (
    sa.select(*ENTRY_COLUMNS)
    .where(
        entries.c.expires_at.is_not(None),
        entries.c.expires_at <= sa.bindparam("now", type_=sa.DateTime(timezone=True)),
    )
    .order_by(entries.c.expires_at)
    .limit(sa.bindparam("limit", type_=sa.Integer()))
)


class SqlEntryRepository(EntryRepository):
    """Stages new entries, updates and erasures in the unit of work's change set; a duplicate address,
    or an entry erased or changed meanwhile, surfaces at commit."""

    def __init__(self, database: Database, changes: ChangeSet) -> None:
        self._database = database
        self._changes = changes

    def add(self, entry: Entry) -> None:
        self._changes.entries.append(entry)

    def get(self, entry_id: UUID) -> Entry | None:
        return self._one(_ENTRY_BY_ID, {"entry_id": entry_id})

    def with_address(self, email: Email) -> Entry | None:
        return self._one(_ENTRY_BY_KEY, {"email_key": email.key})

    def expired(self, now: datetime, limit: int) -> list[Entry]:
        with self._database.connection() as connection:
            rows = connection.execute(_EXPIRED, {"now": now, "limit": limit}).all()
        return [entry_from_row(row) for row in rows]

    def update(self, entry: Entry) -> None:
        self._changes.updated_entries.append(entry)

    def remove(self, entry: Entry) -> None:
        self._changes.erased_entries.append(entry.id)

    def _one(
        self, statement: sa.Select[tuple[object, ...]], values: dict[str, object]
    ) -> Entry | None:
        with self._database.connection() as connection:
            row = connection.execute(statement, values).first()
        return None if row is None else entry_from_row(row)
