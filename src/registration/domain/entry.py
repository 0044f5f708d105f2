from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from registration.domain.email import Email
from registration.domain.events import EntryErased, RegisteredEntryEvent


@dataclass(frozen=True, slots=True)
class Entry:
    id: UUID
    email: Email
    registered_at: datetime

    @classmethod
    def register(cls, email: Email, now: datetime) -> tuple["Entry", RegisteredEntryEvent]:
        """A new entry and the event that announces it."""
        entry = cls(id=uuid4(), email=email, registered_at=now)
        return entry, RegisteredEntryEvent(entry_id=entry.id, email=str(email), timestamp=now)

    def erase(self, now: datetime) -> EntryErased:
        """The event that announces this entry's erasure (the address stays out of it)."""
        return EntryErased(entry_id=self.id, timestamp=now)
