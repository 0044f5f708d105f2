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
        key = _entry_key(entry_id)
        with self._unit_of_work() as uow:
            entry = uow.entries.get(key)
        if entry is None:
            raise _not_found(entry_id)
        return entry

    def erase_entry(self, entry_id: str | UUID) -> None:
        """Right to erasure: the entry goes, with every stored copy of its address, and
        `EntryErased` tells subscribers to erase theirs, in the same transaction."""
        key = _entry_key(entry_id)
        with self._unit_of_work() as uow:
            entry = uow.entries.get(key)
            if entry is None:
                raise _not_found(entry_id)
            uow.entries.remove(entry)
            uow.events.publish([entry.erase(self._clock())])
            uow.commit()


def _entry_key(entry_id: str | UUID) -> UUID:
    try:
        return entry_id if isinstance(entry_id, UUID) else UUID(entry_id)
    except ValueError:
        # Not quoted: the message reaches logs, and a caller may pass anything, an address too.
        raise EntryNotFound("No entry has this id (not a UUID).") from None


def _not_found(entry_id: str | UUID) -> EntryNotFound:
    return EntryNotFound(f"No entry with id {str(entry_id)!r}.")
