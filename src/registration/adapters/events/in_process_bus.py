import logging
from collections import defaultdict
from collections.abc import Callable, Sequence

from registration.application.ports import EventPublisher
from registration.domain.events import DomainEvent

log = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], None]


class InProcessEventBus(EventPublisher):
    """Delivers events to handlers in this process, by event name (tests, local reactions).

    A failing handler is logged with its traceback and does not stop the others.
    """

    def __init__(self) -> None:
        self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)
        self.failures: list[tuple[DomainEvent, Exception]] = []

    def subscribe(self, event_name: str, handler: Handler) -> None:
        self._handlers[event_name].append(handler)

    def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            for handler in self._handlers[event.event_type]:
                try:
                    handler(event)
                except Exception as error:
                    self.failures.append((event, error))
                    log.exception("in-process handler for %s failed", event.event_type)
