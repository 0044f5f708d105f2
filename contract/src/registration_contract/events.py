"""The event types the service publishes and the payloads they carry, each declared once.

A payload is a JSON object: its `name` is the event type (also the routing key), `event_id` is
the same on every redelivery, `timestamp` is ISO 8601 with a UTC offset. Each TypedDict below is
also its event's JSON Schema (`schemas.event_schema`): a field is added here, and only here.
Events can grow: a payload may carry fields not listed here, and a subscriber must ignore those
it does not know.
"""

from typing import Annotated, Final, Literal, Never, NotRequired, TypedDict


class Field:
    """The JSON Schema keywords of one payload field, beside its type."""

    __slots__ = ("keywords",)

    def __init__(self, description: str, **keywords: object) -> None:
        self.keywords = {**keywords, "description": description}


REGISTERED_ENTRY_EVENT: Final = "RegisteredEntryEvent"
ENTRY_ERASED: Final = "EntryErased"

EventId = Annotated[
    str, Field("Unique per event; a redelivery carries the same value.", format="uuid")
]
Address = Annotated[
    str, Field("Normalized address.", format="idn-email", minLength=3, maxLength=320)
]


class RegisteredEntryEventPayload(TypedDict):
    """Published once for every accepted registration."""

    event_id: EventId
    name: Literal["RegisteredEntryEvent"]
    entry_id: Annotated[
        str, Field("Id of the stored entry, as in GET /entries/{id}.", format="uuid")
    ]
    email: Address
    timestamp: Annotated[
        str, Field("When the event was created, ISO 8601 with UTC offset.", format="date-time")
    ]


class EntryErasedPayload(TypedDict):
    """Published once for every erased entry (right to erasure). It names the entry, never its
    address: subscribers erase whatever they hold about that entry id."""

    event_id: EventId
    name: Literal["EntryErased"]
    entry_id: Annotated[
        str,
        Field("Id of the erased entry, as in the event that announced it.", format="uuid"),
    ]
    timestamp: Annotated[
        str, Field("When the entry was erased, ISO 8601 with UTC offset.", format="date-time")
    ]
    email: Annotated[
        NotRequired[Never],
        Field("Never present, whatever else the event grows: an erasure names no address."),
    ]


# Every event the service publishes, in the order the documents list them.
EVENT_PAYLOADS: Final = (RegisteredEntryEventPayload, EntryErasedPayload)
