from collections.abc import Sequence

from registration.adapters.sql.changes import ChangeSet
from registration.application.ports import EventPublisher
from registration.domain.events import DomainEvent


class DeferredEventPublisher(EventPublisher):
    """Holds events for a publisher outside the transaction until the commit succeeded."""

    def __init__(self, changes: ChangeSet) -> None:
        self._changes = changes

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self._changes.after_commit.extend(events)
