from dataclasses import dataclass
from uuid import UUID

from registration.application.entry_ids import entry_id_from, not_found
from registration.application.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True)
class EraseEntry:
    """Right to erasure: the entry goes, with every stored copy of its address, and
    `EntryErased` tells subscribers to erase theirs, in the same transaction."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock

    def __call__(self, entry_id: str | UUID) -> None:
        key = entry_id_from(entry_id)
        with self.unit_of_work() as uow:
            entry = uow.entries.get(key)
            if entry is None:
                raise not_found(entry_id)
            uow.entries.remove(entry)
            uow.events.publish([entry.erase(self.clock())])
            uow.commit()
