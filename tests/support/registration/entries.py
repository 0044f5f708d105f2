"""New pending entries as the core makes them, for tests below the use cases."""

from datetime import datetime, timedelta

from registration.domain.confirmation import ConfirmationPolicy
from registration.domain.email import Email
from registration.domain.entry import Entry
from registration.domain.events import ConfirmationRequested, utc_now

POLICY = ConfirmationPolicy(ttl=timedelta(hours=48), resend_interval=timedelta(minutes=10))
CONFIRM_URL = "http://localhost:8000/confirm/token"
ERASE_URL = "http://localhost:8000/erase/token"


def new_entry(address: str, now: datetime | None = None) -> tuple[Entry, ConfirmationRequested]:
    """A pending entry for `address` and the event that asks its owner to confirm."""
    entry = Entry.register(Email.parse(address), now or utc_now(), POLICY)
    return entry, entry.confirmation_requested(CONFIRM_URL, ERASE_URL)
