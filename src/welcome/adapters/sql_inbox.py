"""Inbox of processed event ids in a SQL table, one row per event, primary key = event id; and
the ids of erased entries, so their welcome is never sent after the erasure."""

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Self

from sqlalchemy import Column, Connection, DateTime, Engine, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from welcome.application.inbox import Inbox, InboxTransaction

metadata = MetaData()

processed_events = Table(
    "welcome_processed_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

# Entry ids only: the subscriber never stores an address.
erased_entries = Table(
    "welcome_erased_entries",
    metadata,
    Column("entry_id", String(64), primary_key=True),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)

_INSERT_IGNORING_DUPLICATES = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def create_inbox_schema(engine: Engine) -> None:
    """The table is this subscriber's private store, so it creates it itself (idempotent)."""
    metadata.create_all(engine, checkfirst=True)


class SqlInbox(Inbox):
    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        dialect = engine.dialect.name
        if dialect not in _INSERT_IGNORING_DUPLICATES:
            raise ValueError(f"the inbox supports PostgreSQL and SQLite, not {dialect}")
        self._engine = engine
        self._clock = clock or (lambda: datetime.now(UTC))
        # SQLite waits for its write lock inside C code that never yields to the eventlet hub:
        # a second writer would freeze every green thread, including the one holding the lock.
        # So writers take turns in Python, where waiting yields.
        self._writers_take_turns: Callable[[], AbstractContextManager[object]] = (
            _green_lock() if dialect == "sqlite" else nullcontext
        )

    def begin(self) -> InboxTransaction:
        return SqlInboxTransaction(self._engine, self._clock, self._writers_take_turns())


def _green_lock() -> Callable[[], AbstractContextManager[object]]:
    lock = threading.Lock()  # green once eventlet has patched threading
    return lambda: lock


class SqlInboxTransaction(InboxTransaction):
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        turn: AbstractContextManager[object],
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._turn = turn
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        self._turn.__enter__()
        try:
            self._connection = self._engine.connect()
            self._connection.begin()
        except BaseException:
            self._turn.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.rollback()
        finally:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._turn.__exit__(None, None, None)

    def record_processed(self, event_id: str) -> bool:
        connection = self._require_connection()
        insert = _INSERT_IGNORING_DUPLICATES[self._engine.dialect.name]
        statement = (
            insert(processed_events)
            .values(event_id=event_id, processed_at=self._clock())
            .on_conflict_do_nothing(index_elements=["event_id"])
        )
        # On PostgreSQL a concurrent insert of the same id waits here for the other
        # transaction: its commit makes this one a duplicate, its rollback lets this one in.
        return connection.execute(statement).rowcount == 1

    def record_erased(self, entry_id: str) -> None:
        insert = _INSERT_IGNORING_DUPLICATES[self._engine.dialect.name]
        statement = (
            insert(erased_entries)
            .values(entry_id=entry_id, erased_at=self._clock())
            .on_conflict_do_nothing(index_elements=["entry_id"])
        )
        self._require_connection().execute(statement)

    def is_erased(self, entry_id: str) -> bool:
        query = select(erased_entries.c.entry_id).where(erased_entries.c.entry_id == entry_id)
        return self._require_connection().execute(query).first() is not None

    def commit(self) -> None:
        self._require_connection().commit()

    def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()

    def _require_connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the inbox transaction as a context manager")
        return self._connection
