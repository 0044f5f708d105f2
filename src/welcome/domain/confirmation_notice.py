"""A registration waiting for its address's owner to confirm it, as the domain sees it."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ConfirmationNotice:
    """Someone gave this address; its owner must be asked. A new request for the same entry (a
    resend) is a new notice with an event id of its own."""

    event_id: str
    entry_id: str
    email: str
    confirm_url: str
    erase_url: str
    expires_at: datetime
    request_id: str | None = None
