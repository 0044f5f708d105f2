"""Writes the service answered 503 for without knowing whether they committed.

A link cut while a statement is on its way, or a deadline that expires while PostgreSQL commits,
leaves the outcome unknown. The client was told nothing was stored, so once the database answers
again the write is undone if its events have not gone out yet (`Database.undo_unacknowledged`).
"""

from dataclasses import dataclass
from uuid import UUID

from registration.adapters.sql.changes import ChangeSet


@dataclass(frozen=True)
class UnacknowledgedWrite:
    entry_ids: tuple[UUID, ...]
    event_ids: tuple[UUID, ...]

    @classmethod
    def of(cls, changes: ChangeSet) -> "UnacknowledgedWrite":
        return cls(
            entry_ids=tuple(e.id for e in changes.entries),
            event_ids=tuple(m.event_id for m in changes.outbox),
        )


class UnacknowledgedWrites:
    def __init__(self) -> None:
        self._writes: list[UnacknowledgedWrite] = []

    def remember(self, changes: ChangeSet) -> None:
        self._writes.append(UnacknowledgedWrite.of(changes))

    def take(self) -> list[UnacknowledgedWrite]:
        taken, self._writes = self._writes, []
        return taken

    def give_back(self, writes: list[UnacknowledgedWrite]) -> None:
        self._writes[:0] = writes
