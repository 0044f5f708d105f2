from dataclasses import dataclass
from uuid import UUID

from registration.application.entry_ids import entry_id_from, not_found
from registration.application.ports import UnitOfWorkFactory
from registration.domain.entry import Entry


@dataclass(frozen=True)
class GetEntry:
    """The entry with this id, or EntryNotFound."""

    unit_of_work: UnitOfWorkFactory

    def __call__(self, entry_id: str | UUID) -> Entry:
        with self.unit_of_work() as uow:
            entry = uow.entries.get(entry_id_from(entry_id))
        if entry is None:
            raise not_found(entry_id)
        return entry
