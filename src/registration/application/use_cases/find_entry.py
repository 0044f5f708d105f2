from dataclasses import dataclass

from registration.application.errors import EntryNotFound
from registration.application.ports import UnitOfWorkFactory
from registration.domain.email import Email
from registration.domain.entry import Entry


@dataclass(frozen=True)
class FindEntry:
    """The entry registered under an address, written any way registration takes it (case,
    spaces), pending or confirmed; EntryNotFound if there is none. For an operator who was
    given an address, not an id (a request to erase it, say)."""

    unit_of_work: UnitOfWorkFactory

    def __call__(self, email: str) -> Entry:
        address = Email.parse(email)
        with self.unit_of_work() as uow:
            entry = uow.entries.with_address(address)
        if entry is None:
            raise EntryNotFound("No entry has this address.")
        return entry
