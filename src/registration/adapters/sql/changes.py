from dataclasses import dataclass, field

from registration.adapters.outbox.message import OutboxMessage
from registration.domain.entry import Entry
from registration.domain.events import DomainEvent


@dataclass
class ChangeSet:
    """What a unit of work has staged; written in one transaction at commit."""

    entries: list[Entry] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    # Events for a publisher outside the transaction, handed over only after the commit.
    after_commit: list[DomainEvent] = field(default_factory=list)

    def clear(self) -> None:
        self.entries.clear()
        self.outbox.clear()
        self.after_commit.clear()
