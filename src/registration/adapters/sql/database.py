from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import eventlet
import sqlalchemy as sa
from sqlalchemy.pool import PoolProxiedConnection

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.circuit_breaker import CircuitBreaker
from registration.adapters.sql.errors import translated_errors
from registration.adapters.sql.postgres.fast_writes import GroupCommitWrites
from registration.adapters.sql.schema import entries, outbox
from registration.adapters.sql.transaction import write_in_one_transaction
from registration.adapters.sql.unacknowledged import (
    NothingSent,
    OutcomeUnknown,
    UnacknowledgedWrites,
)
from registration.application.errors import StorageUnavailable

_Pooled = TypeVar("_Pooled", sa.Connection, PoolProxiedConnection)


class Database:
    """Connections with a deadline, and the writes and reads the adapters need."""

    def __init__(self, engine: sa.Engine, timeout_seconds: float) -> None:
        self.engine = engine
        self.timeout_seconds = timeout_seconds
        self.is_postgres = engine.dialect.name == "postgresql"
        self.breaker = CircuitBreaker()
        self.unacknowledged = UnacknowledgedWrites()
        # PostgreSQL's fast path for the one shape it takes; every write falls back to the
        # general transaction below.
        self._fast_writes = GroupCommitWrites(self) if self.is_postgres else None

    @contextmanager
    def connection(self, timeout_seconds: float | None = None) -> Iterator[sa.Connection]:
        """A pooled connection; a call that outlives the deadline fails as unavailable.

        A cut network can leave a socket waiting for minutes: the green timeout bounds it, and a
        connection interrupted mid-call is discarded rather than reused. Once a call waited out
        its deadline, the next ones fail at once for a moment (see circuit_breaker).
        """
        with self._guarded(self.engine.connect, timeout_seconds) as connection:
            yield connection

    @contextmanager
    def driver_connection(self) -> Iterator[PoolProxiedConnection]:
        """The same, without SQLAlchemy's Connection around the driver's: for one statement."""
        with self._guarded(self.engine.raw_connection, None) as connection:
            yield connection

    @contextmanager
    def _guarded(
        self, acquire: Callable[[], _Pooled], timeout_seconds: float | None
    ) -> Iterator[_Pooled]:
        self.breaker.check()
        try:
            with translated_errors():
                timeout = eventlet.Timeout(timeout_seconds or self.timeout_seconds)
                connection = None
                try:
                    connection = acquire()
                    yield connection
                except eventlet.Timeout as expired:
                    if expired is not timeout:
                        raise
                    if connection is not None:
                        connection.invalidate()
                    raise StorageUnavailable("The database did not answer in time.") from None
                finally:
                    timeout.cancel()
                    if connection is not None:
                        connection.close()
        except StorageUnavailable as error:
            if _waited_out_a_deadline(error):
                self.breaker.trip()
            raise

    def write(self, changes: ChangeSet) -> None:
        """Store a unit of work's changes atomically, or raise; a write that failed as
        unavailable may still have committed, and is remembered to be undone."""
        try:
            self._write(changes)
        except NothingSent:
            raise
        except OutcomeUnknown as unknown:
            self.unacknowledged.remember(changes, unknown.settled)
            raise
        except StorageUnavailable:
            self.unacknowledged.remember(changes)
            raise

    def undo_unacknowledged(self) -> int:
        """Delete the writes answered 503 that did commit, unless their events already went out
        (then the entry stays: an announced entry must exist). Returns how many were undone."""
        writes, unsettled = [], []
        for write in self.unacknowledged.take():
            (writes if write.settled() else unsettled).append(write)
        # A statement still on its way may commit after this look: undone in a later round.
        self.unacknowledged.give_back(unsettled)
        if not writes:
            return 0
        undone = 0
        try:
            with self.connection() as connection, connection.begin():
                for write in writes:
                    removed = connection.execute(
                        outbox.delete().where(
                            outbox.c.event_id.in_(write.event_ids), outbox.c.published_at.is_(None)
                        )
                    ).rowcount
                    if write.event_ids and removed == len(write.event_ids):
                        connection.execute(
                            entries.delete().where(entries.c.id.in_(write.entry_ids))
                        )
                        undone += 1
        except BaseException:
            self.unacknowledged.give_back(writes)
            raise
        return undone

    def _write(self, changes: ChangeSet) -> None:
        if self._fast_writes is not None and self._fast_writes.write(changes):
            return
        with self.connection() as connection, connection.begin():
            write_in_one_transaction(connection, changes)

    def ping(self) -> None:
        with self.connection() as connection:
            connection.exec_driver_sql("SELECT 1")


def _waited_out_a_deadline(error: StorageUnavailable) -> bool:
    """The call's own deadline, or the pool's wait for a free connection, ran out."""
    return error.__cause__ is None or isinstance(error.__cause__, sa.exc.TimeoutError)
