"""The event types the service publishes and the payloads they carry.

A payload is a JSON object: its `name` is the event type (also the routing key), `event_id` is
the same on every redelivery, `timestamp` is ISO 8601 with a UTC offset. Events can grow: a
payload may carry fields not listed here, and a subscriber must ignore those it does not know.
"""

from typing import TypedDict

REGISTERED_ENTRY_EVENT = "RegisteredEntryEvent"
ENTRY_ERASED = "EntryErased"


class RegisteredEntryEventPayload(TypedDict):
    """An accepted registration; schema: `schemas.registered_entry_event_schema()`."""

    event_id: str
    name: str
    entry_id: str
    email: str
    timestamp: str


class EntryErasedPayload(TypedDict):
    """An erased entry, named by its id only; schema: `schemas.entry_erased_schema()`."""

    event_id: str
    name: str
    entry_id: str
    timestamp: str
