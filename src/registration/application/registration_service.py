from uuid import UUID

from registration.application.errors import EntryNotFound
from registration.application.ports import Clock, UnitOfWorkFactory
from registration.domain.email import Email
from registration.domain.entry import Entry


class RegistrationService:
    """The use cases; every primary adapter (HTTP, RPC, CLI) goes through here."""

    def __init__(self, unit_of_work: UnitOfWorkFactory, clock: Clock) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock

    def register_entry(self, email: str) -> Entry:
        address = Email.parse(email)
        entry, registered = Entry.register(address, self._clock())
        with self._unit_of_work() as uow:
            uow.entries.add(entry)
            uow.events.publish([registered])
            uow.commit()
        return entry

    def get_entry(self, entry_id: str | UUID) -> Entry:
        try:
            key = entry_id if isinstance(entry_id, UUID) else UUID(entry_id)
        except ValueError:
            raise EntryNotFound(f"No entry with id {entry_id!r}.") from None
        with self._unit_of_work() as uow:
            entry = uow.entries.get(key)
        if entry is None:
            raise EntryNotFound(f"No entry with id {entry_id!r}.")
        return entry
