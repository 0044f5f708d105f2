import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from registration.domain.events import DomainEvent


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    event_id: UUID
    event_type: str
    payload: str
    request_id: str | None
    created_at: datetime

    @classmethod
    def from_event(cls, event: DomainEvent, request_id: str | None) -> "OutboxMessage":
        return cls(
            event_id=event.event_id,
            event_type=event.name,
            payload=json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":")),
            request_id=request_id,
            created_at=event.timestamp,
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
