import inspect
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

# The keys every event's wire form has besides its own fields: `name` carries the event's type
# (the routing key too). A field of the same name would overwrite one of them on the wire.
ENVELOPE = ("event_id", "name", "timestamp")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened; its id and time are taken per instance, when it is created.

    Its type is its class name (`event_type`), never a field: a subclass that declares a field
    named like a key of the envelope is refused when it is defined.
    """

    event_type: ClassVar[str] = "DomainEvent"

    event_id: UUID = field(default_factory=uuid4)
    timestamp: datetime = field(default_factory=utc_now)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        clashes = sorted(set(inspect.get_annotations(cls)) & _RESERVED)
        if clashes:
            raise TypeError(
                f"{cls.__name__} declares {', '.join(clashes)}: the event's type travels under "
                "that name; call the field something else (display_name, say)"
            )
        cls.event_type = cls.__name__

    def to_dict(self) -> dict[str, Any]:
        """The wire form: JSON primitives only (UUIDs as strings, ISO-8601 times with offset)."""
        return {
            "event_id": str(self.event_id),
            "name": self.event_type,
            **{key: _primitive(value) for key, value in self._payload().items()},
            "timestamp": self.timestamp.isoformat(),
        }

    def _payload(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _payload_names(type(self))}


_RESERVED = frozenset({*ENVELOPE, "event_type"})


_PAYLOAD_NAMES: dict[type, tuple[str, ...]] = {}  # per event class, fixed once it is defined


def _payload_names(kind: type) -> tuple[str, ...]:
    names = _PAYLOAD_NAMES.get(kind)
    if names is None:
        names = _PAYLOAD_NAMES[kind] = tuple(f.name for f in fields(kind) if f.name not in ENVELOPE)
    return names


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
class ConfirmationRequested(EntryEvent):
    """An address waits for its owner's confirmation: the mail with the links is due."""

    email: str
    confirm_url: str
    erase_url: str
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class RegisteredEntryEvent(EntryEvent):
    """The owner of the address confirmed it: the registration exists from now on."""

    email: str
    erase_url: str


@dataclass(frozen=True, kw_only=True)
class EntryErased(EntryEvent):
    """The entry and its address are gone; subscribers erase what they hold about it.

    It never carries the address: it would outlive the erasure it announces.
    """
