from collections.abc import Callable

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.database import Database
from registration.adapters.sql.entry_repository import SqlEntryRepository
from registration.application.ports import EventPublisher, UnitOfWork

AfterCommit = Callable[[ChangeSet], None]


class SqlUnitOfWork(UnitOfWork):
    """Collects the changes of one use case and writes them in a single transaction at commit.

    `events` is the configured publisher bound to this unit's change set: the outbox one stages
    rows in the transaction; a direct one stages events that `after_commit` hands over once the
    transaction is safely stored.
    """

    def __init__(
        self,
        database: Database,
        events: Callable[[ChangeSet], EventPublisher],
        after_commit: AfterCommit,
    ) -> None:
        self._database = database
        self._changes = ChangeSet()
        self._after_commit = after_commit
        self.entries = SqlEntryRepository(database, self._changes)
        self.events = events(self._changes)

    def commit(self) -> None:
        self._database.write(self._changes)
        self._after_commit(self._changes)
        self._changes.clear()

    def rollback(self) -> None:
        self._changes.clear()
