from dataclasses import dataclass, field, fields
from uuid import UUID

from registration.adapters.sql.outbox_rows import OutboxMessage
from registration.domain.entry import Entry
from registration.domain.events import DomainEvent


@dataclass
class ChangeSet:
    """What a unit of work has staged; written in one transaction at commit."""

    entries: list[Entry] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    # Entries already stored whose row takes their new state.
    updated_entries: list[Entry] = field(default_factory=list)
    # Entries to erase with every outbox row about them; written before the rows above.
    erased_entries: list[UUID] = field(default_factory=list)
    # Events for a publisher outside the transaction, handed over only after the commit.
    after_commit: list[DomainEvent] = field(default_factory=list)

    def holds(self) -> frozenset[str]:
        """The names of the fields that hold something. A writer that handles one shape tests
        `holds() <= {what it handles}`: a kind of change added here later is refused by it."""
        return frozenset(f.name for f in fields(self) if getattr(self, f.name))

    def is_insertion(self) -> bool:
        """New entries and outbox rows, nothing else: a write that can be undone by deleting
        exactly what it inserted."""
        return self.holds() <= INSERTION

    def clear(self) -> None:
        for kind in fields(self):
            getattr(self, kind.name).clear()


INSERTION = frozenset({"entries", "outbox", "after_commit"})
