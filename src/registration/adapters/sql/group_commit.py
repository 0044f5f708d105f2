"""Group commit: the registrations of concurrent requests share one statement and one commit.

Every commit costs PostgreSQL a WAL flush and the service a round trip. Requests that arrive while
a write is in flight queue up, and the next write takes them all, so under load the flush is paid
once per batch instead of once per request, with full durability kept. A duplicate address only
fails its own registration (ON CONFLICT DO NOTHING), never the others in the batch.
"""

import logging
from collections.abc import Callable
from typing import Any

import eventlet
from eventlet.event import Event
from eventlet.queue import Empty, LightQueue

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.prepared import PreparedStatement
from registration.adapters.sql.unacknowledged import NothingSent, OutcomeUnknown
from registration.domain.errors import EmailAlreadyRegistered

log = logging.getLogger(__name__)

Execute = Callable[[list[Any]], list[tuple[Any, ...]]]


_STORED = object()


class _Pending:
    __slots__ = ("abandoned", "changes", "done", "taken")

    def __init__(self, changes: ChangeSet) -> None:
        self.changes = changes
        # Sent _STORED or the exception for this registration. eventlet's own primitives: the
        # monkey-patched threading ones cost several times more per request.
        self.done = Event()
        self.taken = False  # in a batch on its way to the database
        self.abandoned = False  # its caller gave up before that: it is never sent


class GroupCommitWriter:
    def __init__(self, execute: Execute, writers: int = 2, max_batch: int = 100) -> None:
        self._execute = execute
        self._max_batch = max_batch
        self._queue: LightQueue = LightQueue()
        self._writers = [eventlet.spawn(self._run) for _ in range(writers)]

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
            duplicate = EmailAlreadyRegistered("This email address is already registered.")
            pending.done.send(duplicate if slot in rejected else _STORED)


# Arrays keep the statement's text the same for every batch size, so it is prepared once: planning
# this statement anew for every batch cost PostgreSQL more than running it.
BATCH_INSERT = PreparedStatement(
    "registration_batch_insert",
    (
        # entries: slot, id, email, email_key, registered_at
        *("int[]", "uuid[]", "text[]", "text[]", "timestamptz[]"),
        # outbox rows: slot, event_id, event_type, payload, request_id, created_at
        *("int[]", "uuid[]", "text[]", "text[]", "text[]", "timestamptz[]"),
    ),
    """
WITH entry_input AS (
    SELECT * FROM unnest($1, $2, $3, $4, $5) AS input (slot, id, email, email_key, registered_at)
),
inserted AS (
    INSERT INTO entries (id, email, email_key, registered_at)
    SELECT id, email, email_key, registered_at FROM entry_input
    ON CONFLICT (email_key) DO NOTHING
    RETURNING id
),
rejected AS (
    SELECT slot FROM entry_input WHERE id NOT IN (SELECT id FROM inserted)
),
stored_events AS (
    INSERT INTO outbox (event_id, event_type, payload, request_id, created_at)
    SELECT event_id, event_type, payload, request_id, created_at
    FROM unnest($6, $7, $8, $9, $10, $11) WITH ORDINALITY
        AS input (slot, event_id, event_type, payload, request_id, created_at, position)
    WHERE slot NOT IN (SELECT slot FROM rejected)
    ORDER BY position
)
SELECT slot FROM rejected""",
)


def batch_parameters(batch: list[ChangeSet]) -> list[Any]:
    """BATCH_INSERT's parameters for many change sets of at most one entry each; it returns the
    slots whose entry was a duplicate (their outbox rows are not written)."""
    entry_columns: list[list[Any]] = [[], [], [], [], []]
    outbox_columns: list[list[Any]] = [[], [], [], [], [], []]
    for slot, changes in enumerate(batch):
        for entry in changes.entries:
            row = (slot, str(entry.id), entry.email.value, entry.email.key, entry.registered_at)
            for column, value in zip(entry_columns, row, strict=True):
                column.append(value)
        for message in changes.outbox:
            row = (
                slot,
                str(message.event_id),
                message.event_type,
                message.payload,
                message.request_id,
                message.created_at,
            )
            for column, value in zip(outbox_columns, row, strict=True):
                column.append(value)
    return [*entry_columns, *outbox_columns]
