"""Writes the service answered 503 for without knowing whether they committed.

A link cut while a statement is on its way, or a deadline that expires while PostgreSQL commits,
leaves the outcome unknown. The client was told nothing was stored, so once the database answers
again the write is undone if its events have not gone out yet (`Database.undo_unacknowledged`).

Only insertions are undone (`ChangeSet.is_insertion`): deleting what they inserted is their exact
undo. Any other write answered 503 is left as it is, whatever became of it: undoing an erasure
would take its EntryErased event back while the entry stays erased, and deleting an updated entry
would destroy what was stored before; a retry tells the client what happened.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from registration.adapters.sql.changes import ChangeSet
from registration.application.errors import StorageUnavailable


class NothingSent(StorageUnavailable):
    """Failed before anything reached the database: there is nothing to undo."""


class OutcomeUnknown(StorageUnavailable):
    """The write may still commit; `settled()` says when its outcome is final either way."""

    def __init__(self, message: str, settled: Callable[[], bool]) -> None:
        super().__init__(message)
        self.settled = settled


def _settled() -> bool:
    return True


@dataclass(frozen=True)
class UnacknowledgedWrite:
    entry_ids: tuple[UUID, ...]
    event_ids: tuple[UUID, ...]
    # False while the statement may still be running: finding nothing to undo then proves nothing.
    settled: Callable[[], bool] = field(default=_settled, compare=False)

    @classmethod
    def of(
        cls, changes: ChangeSet, settled: Callable[[], bool] = _settled
    ) -> "UnacknowledgedWrite":
        return cls(
            entry_ids=tuple(e.id for e in changes.entries),
            event_ids=tuple(m.event_id for m in changes.outbox),
            settled=settled,
        )


class UnacknowledgedWrites:
    def __init__(self) -> None:
        self._writes: list[UnacknowledgedWrite] = []

    def remember(self, changes: ChangeSet, settled: Callable[[], bool] = _settled) -> None:
        if not changes.is_insertion():
            return
        self._writes.append(UnacknowledgedWrite.of(changes, settled))

    def take(self) -> list[UnacknowledgedWrite]:
        taken, self._writes = self._writes, []
        return taken

    def give_back(self, writes: list[UnacknowledgedWrite]) -> None:
        self._writes[:0] = writes
