"""The registration the subscriber reacts to, as the domain sees it (not the wire format)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RegistrationNotice:
    """Someone confirmed their registration; they deserve a welcome.

    `event_id` identifies the notice itself: a redelivery carries the same one, which is what
    makes welcoming idempotent. `request_id` is the HTTP request that caused the event, kept for tracing.
    """

    event_id: str
    entry_id: str
    email: str
    registered_at: datetime
    erase_url: str | None = None  # absent from events stored before the links existed
    request_id: str | None = None
