from abc import ABC, abstractmethod
from collections.abc import Sequence

from registration.domain.events import DomainEvent


class EventPublisher(ABC):
    @abstractmethod
    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Hand events over for delivery; they leave only if the unit of work commits."""
