"""The registration the subscriber reacts to, as the domain sees it (not the wire format)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RegistrationNotice:
    """Someone registered; they deserve a welcome.

    `event_id` identifies the notice itself: a redelivery carries the same one, which is what
    makes welcoming idempotent. `request_id` is the registering HTTP request, kept for tracing.
    """

    event_id: str
    entry_id: str
    email: str
    registered_at: datetime
    request_id: str | None = None
