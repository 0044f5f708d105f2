from dataclasses import dataclass

from registration.application.ports import Clock, UnitOfWorkFactory
from registration.domain.email import Email
from registration.domain.entry import Entry


@dataclass(frozen=True)
class RegisterEntry:
    """Store a new entry for an address and announce it, in one transaction."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock

    def __call__(self, email: str) -> Entry:
        address = Email.parse(email)
        entry, registered = Entry.register(address, self.clock())
        with self.unit_of_work() as uow:
            uow.entries.add(entry)
            uow.events.publish([registered])
            uow.commit()
        return entry
