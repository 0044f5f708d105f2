from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened; its id and time are taken per instance, when it is created."""

    event_id: UUID = field(default_factory=uuid4)
    timestamp: datetime = field(default_factory=utc_now)

    @property
    def name(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        """The wire form: JSON primitives only (UUIDs as strings, ISO-8601 times with offset)."""
        return {
            "event_id": str(self.event_id),
            "name": self.name,
            **{key: _primitive(value) for key, value in self._payload().items()},
            "timestamp": self.timestamp.isoformat(),
        }

    def _payload(self) -> dict[str, Any]:
        return {
            key: getattr(self, key)
            for key in self.__dataclass_fields__
            if key not in ("event_id", "timestamp")
        }


def _primitive(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True, kw_only=True)
class EntryEvent(DomainEvent):
    """An event about one entry: stores that keep events can find them by `entry_id`."""

    entry_id: UUID


@dataclass(frozen=True, kw_only=True)
class RegisteredEntryEvent(EntryEvent):
    email: str


@dataclass(frozen=True, kw_only=True)
class EntryErased(EntryEvent):
    """The entry and its address are gone; subscribers erase what they hold about it.

    It never carries the address: it would outlive the erasure it announces.
    """
