from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from registration.domain.confirmation import DAY, ConfirmationPolicy
from registration.domain.email import Email
from registration.domain.events import (
    ConfirmationRequested,
    EntryErased,
    RegisteredEntryEvent,
)


@dataclass(frozen=True, slots=True)
class Entry:
    """An address given at registration: pending until its owner confirms, then registered.

    `version` grows with every change, so two changes made from the same reading cannot both be
    stored (the second one finds the entry changed).
    """

    id: UUID
    email: Email
    registered_at: datetime
    # While pending: when it is erased unless confirmed (every mail's link lasts until then).
    expires_at: datetime | None
    confirmed_at: datetime | None = None
    # The confirmation mails of the last day, oldest first: what bounds the next one.
    mailed_at: tuple[datetime, ...] = ()
    version: int = 1

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @classmethod
    def register(cls, email: Email, now: datetime, policy: ConfirmationPolicy) -> "Entry":
        """A new pending entry, its first confirmation mail due now."""
        return cls(
            id=uuid4(),
            email=email,
            registered_at=now,
            expires_at=now + policy.ttl,
            mailed_at=(now,),
        )

    def ask_again(self, now: datetime, policy: ConfirmationPolicy) -> "Entry | None":
        """The entry with one more confirmation mail due now, its expiry renewed; or None when
        it is confirmed, or when the policy's limits allow no mail yet."""
        if self.is_confirmed:
            return None
        recent = tuple(sent for sent in self.mailed_at if now - sent < DAY)
        if recent and now - recent[-1] < policy.resend_interval:
            return None
        if len(recent) >= policy.mails_per_day:
            return None
        return replace(
            self, expires_at=now + policy.ttl, mailed_at=(*recent, now), version=self.version + 1
        )

    def confirmation_requested(self, confirm_url: str, erase_url: str) -> ConfirmationRequested:
        """The event that has the confirmation mail sent for this pending entry."""
        assert self.expires_at is not None, "a confirmed entry asks for no confirmation"
        return ConfirmationRequested(
            entry_id=self.id,
            email=str(self.email),
            confirm_url=confirm_url,
            erase_url=erase_url,
            expires_at=self.expires_at,
            timestamp=self.mailed_at[-1],
        )

    def confirm(self, now: datetime, erase_url: str) -> tuple["Entry", RegisteredEntryEvent]:
        """The confirmed entry and the event that announces the registration."""
        confirmed = replace(
            self, confirmed_at=now, expires_at=None, mailed_at=(), version=self.version + 1
        )
        event = RegisteredEntryEvent(
            entry_id=self.id, email=str(self.email), erase_url=erase_url, timestamp=now
        )
        return confirmed, event

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def erase(self, now: datetime) -> EntryErased:
        """The event that announces this entry's erasure (the address stays out of it)."""
        return EntryErased(entry_id=self.id, timestamp=now)
