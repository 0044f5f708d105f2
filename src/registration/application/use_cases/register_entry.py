from dataclasses import dataclass
from enum import Enum

from registration.application.errors import EntryChanged
from registration.application.ports import Clock, LinkPurpose, Links, UnitOfWorkFactory
from registration.domain.confirmation import ConfirmationPolicy
from registration.domain.email import Email
from registration.domain.entry import Entry
from registration.domain.errors import EmailAlreadyRegistered
from registration.domain.events import ConfirmationRequested


class Outcome(Enum):
    """What a registration did; the public answer is the same for all of them."""

    CONFIRMATION_REQUESTED = "confirmation_requested"  # a new address, now pending
    CONFIRMATION_RESENT = "confirmation_resent"  # pending, and the limits allowed another mail
    RESEND_SUPPRESSED = "resend_suppressed"  # pending, and the limits allowed no mail now
    ALREADY_CONFIRMED = "already_confirmed"  # registered before: nothing is sent


@dataclass(frozen=True, slots=True)
class Registration:
    entry: Entry | None  # None: erased while this registration looked at it
    outcome: Outcome


@dataclass(frozen=True)
class RegisterEntry:
    """Double opt-in: store a new address as pending and have its owner asked to confirm, in one
    transaction; an address given again is asked again only within the policy's limits."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock
    links: Links
    confirmation: ConfirmationPolicy

    def __call__(self, email: str) -> Registration:
        address = Email.parse(email)
        now = self.clock()
        entry = Entry.register(address, now, self.confirmation)
        # A new address is the common case: one write, and the unique key decides the rest.
        try:
            with self.unit_of_work() as uow:
                uow.entries.add(entry)
                uow.events.publish([self._request(entry)])
                uow.commit()
        except EmailAlreadyRegistered:
            return self._again(address)
        return Registration(entry, Outcome.CONFIRMATION_REQUESTED)

    def _again(self, address: Email) -> Registration:
        with self.unit_of_work() as uow:
            stored = uow.entries.with_address(address)
            if stored is None or stored.is_confirmed:
                return Registration(stored, Outcome.ALREADY_CONFIRMED)
            asked = stored.ask_again(self.clock(), self.confirmation)
            if asked is None:
                return Registration(stored, Outcome.RESEND_SUPPRESSED)
            uow.entries.update(asked)
            uow.events.publish([self._request(asked)])
            try:
                uow.commit()
            except EntryChanged:  # a concurrent registration of the address asked first
                return Registration(stored, Outcome.RESEND_SUPPRESSED)
        return Registration(asked, Outcome.CONFIRMATION_RESENT)

    def _request(self, entry: Entry) -> ConfirmationRequested:
        assert entry.expires_at is not None
        return entry.confirmation_requested(
            confirm_url=self.links.link(LinkPurpose.CONFIRM, entry.id, entry.expires_at),
            erase_url=self.links.erasure_link(entry.id, entry.registered_at),
        )
