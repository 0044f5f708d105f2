"""In-memory adapters for the core's unit tests: they record what happened."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from registration.application.errors import EntryChanged, EntryNotFound
from registration.application.ports import EntryRepository, EventPublisher, UnitOfWork
from registration.domain.email import Email
from registration.domain.entry import Entry
from registration.domain.errors import EmailAlreadyRegistered
from registration.domain.events import DomainEvent


class InMemoryStore:
    """What a database would hold: committed entries and events."""

    def __init__(self) -> None:
        self.entries: dict[UUID, Entry] = {}
        self.events: list[DomainEvent] = []
        self.commits = 0


class InMemoryEntryRepository(EntryRepository):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged: list[Entry] = []
        self.removed: list[Entry] = []
        self.updated: list[Entry] = []

    def add(self, entry: Entry) -> None:
        taken = {e.email.key for e in [*self._store.entries.values(), *self.staged]}
        if entry.email.key in taken:
            raise EmailAlreadyRegistered()
        self.staged.append(entry)

    def get(self, entry_id: UUID) -> Entry | None:
        return self._store.entries.get(entry_id)

    def with_address(self, email: Email) -> Entry | None:
        return next((e for e in self._store.entries.values() if e.email.key == email.key), None)

    def expired(self, now: datetime, limit: int) -> list[Entry]:
        due = sorted(
            (e for e in self._store.entries.values() if e.is_expired(now)),
            key=lambda e: e.expires_at or now,
        )
        return due[:limit]

    def update(self, entry: Entry) -> None:
        if entry.id not in self._store.entries:
            raise EntryNotFound(f"No entry with id {entry.id}.")
        self.updated.append(entry)

    def remove(self, entry: Entry) -> None:
        if entry.id not in self._store.entries:
            raise EntryNotFound(f"No entry with id {entry.id}.")
        self.removed.append(entry)


class RecordingPublisher(EventPublisher):
    def __init__(self) -> None:
        self.staged: list[DomainEvent] = []

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.staged.extend(events)


class InMemoryUnitOfWork(UnitOfWork):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.entries: InMemoryEntryRepository = InMemoryEntryRepository(store)
        self.events: RecordingPublisher = RecordingPublisher()

    def commit(self) -> None:
        for entry in self.entries.updated:
            stored = self._store.entries.get(entry.id)
            if stored is None:
                raise EntryNotFound(f"No entry with id {entry.id}.")
            if stored.version != entry.version - 1:
                raise EntryChanged()
        for entry in self.entries.removed:
            del self._store.entries[entry.id]
        for entry in [*self.entries.updated, *self.entries.staged]:
            self._store.entries[entry.id] = entry
        self._store.events.extend(self.events.staged)
        self._store.commits += 1
        self.rollback()

    def rollback(self) -> None:
        self.entries.staged.clear()
        self.entries.removed.clear()
        self.entries.updated.clear()
        self.events.staged.clear()
