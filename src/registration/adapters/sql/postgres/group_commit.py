"""Group commit: the registrations of concurrent requests share one statement and one commit.

Every commit costs PostgreSQL a WAL flush and the service a round trip. Requests that arrive while
a write is in flight queue up, and the next write takes them all, so under load the flush is paid
once per batch instead of once per request, with full durability kept. A duplicate address only
fails its own registration (ON CONFLICT DO NOTHING), never the others in the batch.

It writes one shape only, a registration (`accepts`); every other change set takes the general
transaction (`transaction.py`). Both are behind the same unit of work.
"""

import logging
from collections.abc import Callable
from typing import Any

import eventlet
import sqlalchemy as sa
from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from sqlalchemy.dialects import postgresql

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.postgres.prepared import PreparedStatement
from registration.adapters.sql.schema import (
    ENTRY_COLUMNS,
    OUTBOX_COLUMNS,
    entries,
    entry_values,
    outbox,
    outbox_values,
)
from registration.adapters.sql.unacknowledged import NothingSent, OutcomeUnknown
from registration.domain.errors import EmailAlreadyRegistered

log = logging.getLogger(__name__)

Execute = Callable[[list[Any]], list[tuple[Any, ...]]]

_POSTGRES = postgresql.dialect()


_STORED = object()


class _Pending:
    __slots__ = ("abandoned", "changes", "done", "taken")

    def __init__(self, changes: ChangeSet) -> None:
        self.changes = changes
        # Sent _STORED or the exception for this registration. eventlet's own primitives: the
        # monkey-patched threading ones cost more per request.
        self.done = Event()
        self.taken = False  # in a batch on its way to the database
        self.abandoned = False  # its caller gave up before that: it is never sent


class GroupCommitWriter:
    def __init__(self, execute: Execute, writers: int = 2, max_batch: int = 100) -> None:
        self._execute = execute
        self._max_batch = max_batch
        self._queue: LightQueue = LightQueue()
        self._writers = [eventlet.spawn(self._run) for _ in range(writers)]

    @staticmethod
    def accepts(changes: ChangeSet) -> bool:
        """The shape it writes: one new entry and outbox rows about it, nothing else."""
        if not changes.is_insertion() or len(changes.entries) != 1:
            return False
        entry_id = changes.entries[0].id
        return all(message.entry_id == entry_id for message in changes.outbox)

    def write(self, changes: ChangeSet, timeout: float) -> None:
        """Store one registration's entry and outbox rows; returns once they are committed."""
        pending = _Pending(changes)
        self._queue.put(pending)
        outcome = pending.done.wait(timeout)
        if outcome is None:
            if not pending.taken:
                pending.abandoned = True
                raise NothingSent("The database did not answer in time.")
            # Its batch may still commit: the caller answers 503 and undoes it once settled.
            raise OutcomeUnknown("The database did not answer in time.", pending.done.ready)
        if outcome is not _STORED:
            raise outcome

    def _run(self) -> None:
        while True:
            batch = self._take(self._queue.get())
            while len(batch) < self._max_batch:
                try:
                    batch += self._take(self._queue.get_nowait())
                except Empty:
                    break
            if batch:
                self._write(batch)

    @staticmethod
    def _take(pending: _Pending) -> list[_Pending]:
        # No green switch between the caller's look at `taken` and this: one of the two wins.
        if pending.abandoned:
            return []
        pending.taken = True
        return [pending]

    def _write(self, batch: list[_Pending]) -> None:
        try:
            params = batch_parameters([p.changes for p in batch])
            rejected = {slot for (slot,) in self._execute(params)}
        except BaseException as error:  # every waiter must hear about it, whatever it was
            for pending in batch:
                pending.done.send(error)
            if not isinstance(error, Exception):
                raise
            return
        for slot, pending in enumerate(batch):
            duplicate = EmailAlreadyRegistered()
            pending.done.send(duplicate if slot in rejected else _STORED)


def _array_types(columns: tuple[sa.Column[Any], ...]) -> tuple[str, ...]:
    return tuple(f"{c.type.compile(dialect=_POSTGRES)}[]" for c in columns)


def _names(columns: tuple[sa.Column[Any], ...]) -> str:
    return ", ".join(c.name for c in columns)


def _placeholders(first: int, count: int) -> str:
    return ", ".join(f"${n}" for n in range(first, first + count))


def _batch_insert() -> PreparedStatement:
    """Each table's rows as one array per column, after a slot array that says which
    registration a row belongs to; the columns and their types come from `schema`."""
    entry_names, outbox_names = _names(ENTRY_COLUMNS), _names(OUTBOX_COLUMNS)
    entry_id, email_key = entries.c.id.name, entries.c.email_key.name
    entry_arrays = 1 + len(ENTRY_COLUMNS)
    outbox_arrays = 1 + len(OUTBOX_COLUMNS)
    return PreparedStatement(
        "registration_batch_insert",
        ("int[]", *_array_types(ENTRY_COLUMNS), "int[]", *_array_types(OUTBOX_COLUMNS)),
        f"""
WITH entry_input AS (
    SELECT * FROM unnest({_placeholders(1, entry_arrays)}) AS input (slot, {entry_names})
),
inserted AS (
    INSERT INTO {entries.name} ({entry_names})
    SELECT {entry_names} FROM entry_input
    ON CONFLICT ({email_key}) DO NOTHING
    RETURNING {entry_id}
),
rejected AS (
    SELECT slot FROM entry_input WHERE {entry_id} NOT IN (SELECT {entry_id} FROM inserted)
),
stored_events AS (
    INSERT INTO {outbox.name} ({outbox_names})
    SELECT {outbox_names}
    FROM unnest({_placeholders(1 + entry_arrays, outbox_arrays)}) WITH ORDINALITY
        AS input (slot, {outbox_names}, position)
    WHERE slot NOT IN (SELECT slot FROM rejected)
    ORDER BY position
)
SELECT slot FROM rejected""",
    )


# Arrays keep the statement's text the same for every batch size, so it is prepared once: planning
# this statement anew for every batch cost PostgreSQL more than running it.
BATCH_INSERT = _batch_insert()
# psycopg2 adapts no UUID without a global registration: such columns are sent as text.
_ENTRY_UUIDS = tuple(i for i, c in enumerate(ENTRY_COLUMNS) if isinstance(c.type, sa.Uuid))
_OUTBOX_UUIDS = tuple(i for i, c in enumerate(OUTBOX_COLUMNS) if isinstance(c.type, sa.Uuid))


def batch_parameters(batch: list[ChangeSet]) -> list[Any]:
    """BATCH_INSERT's parameters for many change sets of one entry each (`accepts`);
    it returns the slots whose entry was a duplicate (their outbox rows are not written)."""
    entry_slots: list[int] = []
    entry_rows: list[tuple[Any, ...]] = []
    outbox_slots: list[int] = []
    outbox_rows: list[tuple[Any, ...]] = []
    for slot, changes in enumerate(batch):
        for entry in changes.entries:
            entry_slots.append(slot)
            entry_rows.append(entry_values(entry))
        for message in changes.outbox:
            outbox_slots.append(slot)
            outbox_rows.append(outbox_values(message))
    return [
        entry_slots,
        *_arrays(entry_rows, len(ENTRY_COLUMNS), _ENTRY_UUIDS),
        outbox_slots,
        *_arrays(outbox_rows, len(OUTBOX_COLUMNS), _OUTBOX_UUIDS),
    ]


def _arrays(rows: list[tuple[Any, ...]], width: int, uuids: tuple[int, ...]) -> list[list[Any]]:
    """Rows turned into one list per column."""
    arrays = (
        [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]
    )
    for index in uuids:
        arrays[index] = [None if value is None else str(value) for value in arrays[index]]
    return arrays
