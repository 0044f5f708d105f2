"""A single registration's change set through the group commit; any other shape is not taken."""

from typing import TYPE_CHECKING, Any

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.postgres.group_commit import BATCH_INSERT, GroupCommitWriter
from registration.adapters.sql.postgres.prepared import execute_prepared
from registration.adapters.sql.unacknowledged import NothingSent, OutcomeUnknown

if TYPE_CHECKING:
    from registration.adapters.sql.database import Database


class GroupCommitWrites:
    def __init__(self, database: "Database") -> None:
        self._database = database
        self._writer: GroupCommitWriter | None = None  # its green threads start on first use

    def write(self, changes: ChangeSet) -> bool:
        """Store `changes` if they are the group commit's shape (`GroupCommitWriter.accepts`);
        False, having done nothing, for any other shape."""
        if not GroupCommitWriter.accepts(changes):
            return False
        breaker = self._database.breaker
        breaker.check()
        try:
            self._group_commit().write(changes, self._database.timeout_seconds)
        except (NothingSent, OutcomeUnknown):
            breaker.trip()
            raise
        return True

    def _group_commit(self) -> GroupCommitWriter:
        if self._writer is None:
            self._writer = GroupCommitWriter(self._execute_batch_insert)
        return self._writer

    def _execute_batch_insert(self, params: list[Any]) -> list[tuple[Any, ...]]:
        """The batch as its own transaction (one round trip), its rejected slots fetched."""
        with self._database.driver_connection() as connection:
            driver = connection.dbapi_connection
            driver.autocommit = True
            try:
                return execute_prepared(connection, BATCH_INSERT, params)
            finally:
                if not driver.closed:
                    driver.autocommit = False
