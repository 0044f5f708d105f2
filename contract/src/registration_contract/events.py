"""The event types the service publishes and the payloads they carry, each declared once.

A payload is a JSON object: its `name` is the event type (also the routing key), `event_id` is
the same on every redelivery, `timestamp` is ISO 8601 with a UTC offset. Each TypedDict below is
also its event's JSON Schema (`schemas.event_schema`): a field is added here, and only here.
Events can grow: a payload may carry fields not listed here, and a subscriber must ignore those
it does not know.
"""

from typing import Annotated, Final, Literal, Never, NotRequired, TypedDict, is_typeddict


class Field:
    """The JSON Schema keywords of one payload field, beside its type."""

    __slots__ = ("keywords",)

    def __init__(self, description: str, **keywords: object) -> None:
        self.keywords = {**keywords, "description": description}


CONFIRMATION_REQUESTED: Final = "ConfirmationRequested"
REGISTERED_ENTRY_EVENT: Final = "RegisteredEntryEvent"
ENTRY_ERASED: Final = "EntryErased"

EventId = Annotated[
    str, Field("Unique per event; a redelivery carries the same value.", format="uuid")
]
Address = Annotated[
    str, Field("Normalized address.", format="idn-email", minLength=3, maxLength=320)
]
EraseLink = Field(
    "The person's own erasure link, signed: a POST with the body `List-Unsubscribe=One-Click`"
    " erases the entry (RFC 8058), a GET shows a page with a button. Put it in every mail, as"
    " the `List-Unsubscribe` header and in the body.",
    format="uri",
)


class ConfirmationRequestedPayload(TypedDict):
    """Published when an address was given at registration and its owner must confirm it: mail
    `confirm_url` to `email`. Sent again, as a new event, when the address is registered again
    while it waits, within the service's limits (at most one mail every few minutes and three a
    day). Nothing else about the address is known yet: it is not a registration."""

    event_id: EventId
    name: Literal["ConfirmationRequested"]
    entry_id: Annotated[str, Field("Id of the pending entry.", format="uuid")]
    email: Address
    confirm_url: Annotated[
        str,
        Field(
            "The signed confirmation link: a GET shows a page whose button confirms (a POST).",
            format="uri",
        ),
    ]
    erase_url: Annotated[str, EraseLink]
    expires_at: Annotated[
        str,
        Field(
            "When the link, and the pending entry if it stays unconfirmed, expire.",
            format="date-time",
        ),
    ]
    timestamp: Annotated[
        str, Field("When the event was created, ISO 8601 with UTC offset.", format="date-time")
    ]


class RegisteredEntryEventPayload(TypedDict):
    """Published once for every registration its owner confirmed (double opt-in): subscribers
    never hear of an address nobody confirmed."""

    event_id: EventId
    name: Literal["RegisteredEntryEvent"]
    entry_id: Annotated[
        str, Field("Id of the stored entry, as in GET /entries/{id}.", format="uuid")
    ]
    email: Address
    timestamp: Annotated[
        str, Field("When the event was created, ISO 8601 with UTC offset.", format="date-time")
    ]
    # Optional for the events stored before the links existed; always sent since.
    erase_url: Annotated[NotRequired[str], EraseLink]


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


# Every event the service publishes, in the order they are declared above: each payload type of
# this module (a TypedDict with a `name`), so a new event is one class and no list to extend.
EVENT_PAYLOADS: Final = tuple(
    value
    for value in dict(globals()).values()
    if is_typeddict(value) and "name" in getattr(value, "__annotations__", {})
)
