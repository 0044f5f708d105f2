import threading
from datetime import UTC, datetime

import pytest

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.outbox_rows import OutboxMessage
from registration.adapters.sql.postgres.group_commit import (
    BATCH_INSERT,
    GroupCommitWriter,
    batch_parameters,
)
from registration.adapters.sql.schema import (
    ENTRY_COLUMNS,
    OUTBOX_COLUMNS,
    entries,
    entry_row,
    outbox,
    outbox_row,
)
from registration.adapters.sql.unacknowledged import NothingSent, OutcomeUnknown
from registration.domain.errors import EmailAlreadyRegistered
from tests.support.registration.entries import new_entry

pytestmark = pytest.mark.unit


def registration(address: str) -> ChangeSet:
    entry, event = new_entry(address, datetime.now(UTC))
    return ChangeSet(entries=[entry], outbox=[OutboxMessage.from_event(event, "req-1")])


class FakeDatabase:
    """Holds the first statement until released, so later writes queue up behind it."""

    def __init__(self, rejected_slots=()):
        self.batches: list[int] = []
        self.release = threading.Event()
        self.rejected_slots = rejected_slots
        self.failure: Exception | None = None

    def execute(self, params):
        self.release.wait(5)
        self.batches.append(len(params[0]))  # the entries' slots
        if self.failure:
            raise self.failure
        return [(slot,) for slot in self.rejected_slots]


def write_concurrently(writer, change_sets):
    outcomes = [None] * len(change_sets)

    def write(index):
        try:
            writer.write(change_sets[index], timeout=5)
            outcomes[index] = "stored"
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(change_sets))]
    for thread in threads:
        thread.start()
    return threads, outcomes


def test_writes_that_arrive_during_a_write_share_the_next_statement():
    database = FakeDatabase()
    writer = GroupCommitWriter(database.execute, writers=1)
    first, _ = write_concurrently(writer, [registration("first@example.com")])
    threading.Event().wait(0.05)
    rest, outcomes = write_concurrently(
        writer, [registration(f"user{i}@example.com") for i in range(5)]
    )
    database.release.set()
    for thread in [*first, *rest]:
        thread.join()

    assert database.batches == [1, 5]
    assert outcomes == ["stored"] * 5


def test_a_duplicate_fails_only_its_own_registration():
    database = FakeDatabase(rejected_slots=[1])
    database.release.set()
    writer = GroupCommitWriter(database.execute, writers=1)

    threads, outcomes = write_concurrently(writer, [registration("only@example.com")])
    for thread in threads:
        thread.join()
    assert outcomes == ["stored"]

    database.rejected_slots = [0]
    threads, outcomes = write_concurrently(writer, [registration("dup@example.com")])
    for thread in threads:
        thread.join()
    assert isinstance(outcomes[0], EmailAlreadyRegistered)


def test_a_failed_statement_fails_every_registration_in_it():
    database = FakeDatabase()
    database.failure = ConnectionError("gone")
    writer = GroupCommitWriter(database.execute, writers=1)
    threads, outcomes = write_concurrently(
        writer, [registration(f"user{i}@example.com") for i in range(3)]
    )
    database.release.set()
    for thread in threads:
        thread.join()

    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)


def test_the_statement_carries_every_entry_and_event_with_its_slot():
    batch = [registration("a@example.com"), registration("b@example.com")]

    params = batch_parameters(batch)

    assert "ON CONFLICT (email_key) DO NOTHING" in BATCH_INSERT.definition
    assert BATCH_INSERT.execution.count("%s") == len(params)
    entry_params = 1 + len(ENTRY_COLUMNS)  # the slot, then every column
    entry_slots, entry_ids, *_ = params[:entry_params]
    event_slots, _, _, payloads, *_ = params[entry_params:]
    assert entry_slots == [0, 1] and event_slots == [0, 1]
    assert entry_ids == [str(batch[0].entries[0].id), str(batch[1].entries[0].id)]
    assert payloads == [batch[0].outbox[0].payload, batch[1].outbox[0].payload]


def test_a_write_whose_deadline_passes_before_its_batch_starts_is_never_sent():
    database = FakeDatabase()
    writer = GroupCommitWriter(database.execute, writers=1)
    holding, _ = write_concurrently(writer, [registration("first@example.com")])
    threading.Event().wait(0.05)

    with pytest.raises(NothingSent):
        writer.write(registration("late@example.com"), timeout=0.05)
    database.release.set()
    for thread in holding:
        thread.join()
    threading.Event().wait(0.05)

    assert database.batches == [1]


def test_a_write_whose_deadline_passes_in_flight_is_unknown_until_its_batch_ends():
    database = FakeDatabase()
    writer = GroupCommitWriter(database.execute, writers=1)

    with pytest.raises(OutcomeUnknown) as unknown:
        writer.write(registration("slow@example.com"), timeout=0.05)
    settled_while_running = unknown.value.settled()
    database.release.set()
    threading.Event().wait(0.05)

    assert not settled_while_running
    assert unknown.value.settled()
    assert database.batches == [1]


def test_rows_name_every_column_their_table_is_written_with():
    changes = registration("columns@example.com")

    assert list(entry_row(changes.entries[0])) == [c.name for c in ENTRY_COLUMNS]
    assert list(outbox_row(changes.outbox[0])) == [c.name for c in OUTBOX_COLUMNS]
    assert {c.name for c in entries.columns} == {c.name for c in ENTRY_COLUMNS}
    assert {c.name for c in outbox.columns} - {c.name for c in OUTBOX_COLUMNS} == {
        "seq",
        "published_at",
    }


def test_each_value_lands_in_its_own_column():
    changes = registration("values@example.com")
    entry, message = changes.entries[0], changes.outbox[0]

    assert entry_row(entry) == {
        "id": entry.id,
        "email": "values@example.com",
        "email_key": "values@example.com",
        "registered_at": entry.registered_at,
        "expires_at": entry.expires_at,
        "confirmed_at": None,
        "mailed_at": entry.registered_at.isoformat(),
        "version": 1,
    }
    assert outbox_row(message) == {
        "event_id": message.event_id,
        "event_type": "ConfirmationRequested",
        "payload": message.payload,
        "request_id": "req-1",
        "created_at": message.created_at,
        "entry_id": entry.id,
    }


def test_the_statement_names_the_entry_each_event_is_about():
    changes = registration("about@example.com")

    params = batch_parameters([changes])

    assert params[-1] == [str(changes.entries[0].id)]
    assert "entry_id" in BATCH_INSERT.definition


def test_only_a_single_registration_takes_the_group_commit():
    one = registration("one@example.com")
    two = ChangeSet(entries=[*one.entries, *registration("two@example.com").entries])

    assert GroupCommitWriter.accepts(one)
    assert not GroupCommitWriter.accepts(ChangeSet(outbox=one.outbox))  # no entry: not its shape
    assert not GroupCommitWriter.accepts(two)
    assert not GroupCommitWriter.accepts(ChangeSet(erased_entries=[one.entries[0].id]))
