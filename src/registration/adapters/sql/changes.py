from dataclasses import dataclass, field
from uuid import UUID

from registration.adapters.sql.outbox_rows import OutboxMessage
from registration.domain.entry import Entry
from registration.domain.events import DomainEvent


@dataclass
class ChangeSet:
    """What a unit of work has staged; written in one transaction at commit."""

    entries: list[Entry] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    # Entries to erase with every outbox row about them; written before the rows above.
    erased_entries: list[UUID] = field(default_factory=list)
    # Events for a publisher outside the transaction, handed over only after the commit.
    after_commit: list[DomainEvent] = field(default_factory=list)

    @property
    def only_inserts(self) -> bool:
        return not self.erased_entries

    def clear(self) -> None:
        self.entries.clear()
        self.outbox.clear()
        self.erased_entries.clear()
        self.after_commit.clear()
