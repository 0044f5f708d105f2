"""The outbox's row shapes: a message to store with a unit of work, and one read back to send.

They live with the table (below the outbox package, the relay and the broker adapters) so every
package that needs them imports downwards.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from uuid import UUID

from registration.adapters.sql.schema import outbox
from registration.domain.events import DomainEvent, EntryEvent
from registration.infrastructure.compact_json import compact_json


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    event_id: UUID
    event_type: str
    payload: str
    request_id: str | None
    created_at: datetime
    # The entry the event is about: an erasure finds the rows that carry its address by it.
    entry_id: UUID | None = None

    @classmethod
    def from_event(cls, event: DomainEvent, request_id: str | None) -> "OutboxMessage":
        return cls(
            event_id=event.event_id,
            event_type=event.event_type,
            payload=compact_json(event.to_dict()),
            request_id=request_id,
            created_at=event.timestamp,
            entry_id=event.entry_id if isinstance(event, EntryEvent) else None,
        )


@dataclass(frozen=True, slots=True)
class PendingMessage:
    """A stored message on its way to the broker."""

    seq: int
    event_id: UUID
    event_type: str
    payload: str
    request_id: str | None
    created_at: datetime


# What a message read back holds, in the order of PendingMessage's fields.
PENDING_COLUMNS = tuple(outbox.c[f.name] for f in fields(PendingMessage))
