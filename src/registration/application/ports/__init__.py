"""What the core needs from the outside world, named for the core's needs."""

from registration.application.ports.access_tokens import AccessTokens, Operator
from registration.application.ports.clock import Clock
from registration.application.ports.entry_repository import EntryRepository
from registration.application.ports.event_publisher import EventPublisher
from registration.application.ports.links import LinkPurpose, Links
from registration.application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AccessTokens",
    "Clock",
    "EntryRepository",
    "EventPublisher",
    "LinkPurpose",
    "Links",
    "Operator",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
