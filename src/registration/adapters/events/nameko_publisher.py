from collections.abc import Callable, Sequence
from typing import Any

from registration.application.ports import EventPublisher
from registration.domain.events import DomainEvent

Dispatch = Callable[[str, dict[str, Any]], None]


class NamekoEventPublisher(EventPublisher):
    """Publishes through nameko's event dispatcher: exchange `<service>.events`, key = name.

    Delivery is at most once (a crash or broker outage after the commit loses the event); the
    outbox publisher is the default for that reason.
    """

    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch

    def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            # The dict itself, of JSON primitives: no kombu datetime envelope on the wire.
            self._dispatch(event.event_type, event.to_dict())
