from collections.abc import Sequence

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.outbox_rows import OutboxMessage
from registration.application.ports import EventPublisher
from registration.domain.events import DomainEvent
from service_kit.request_context import current_request_id


class OutboxEventPublisher(EventPublisher):
    """Stages events as outbox rows, written in the same transaction as the entry."""

    def __init__(self, changes: ChangeSet) -> None:
        self._changes = changes

    def publish(self, events: Sequence[DomainEvent]) -> None:
        request_id = current_request_id()
        self._changes.outbox.extend(OutboxMessage.from_event(e, request_id) for e in events)
