from dataclasses import dataclass

from registration.application.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True)
class ExpirePendingEntries:
    """Erase, as an erasure does (`EntryErased` included), the pending entries nobody confirmed
    in time: one bounded batch per call, in one transaction."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock

    def __call__(self, batch_size: int) -> int:
        """How many were erased; fewer than `batch_size` means none is left for now."""
        now = self.clock()
        with self.unit_of_work() as uow:
            expired = uow.entries.expired(now, batch_size)
            for entry in expired:
                uow.entries.remove(entry)
            uow.events.publish([entry.erase(now) for entry in expired])
            uow.commit()
        return len(expired)
