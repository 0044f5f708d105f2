"""Erasing an entry through the SQL unit of work: nothing of the address is left behind."""

import threading
from functools import partial

import pytest
import sqlalchemy as sa

from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.outbox.relay import OutboxRelay
from registration.adapters.outbox.store import OutboxStore
from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.schema import entries, outbox
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.application.errors import EntryNotFound
from registration.domain.events import utc_now
from tests.support.databases import migrated_database, unique_address
from tests.support.registration.recording_sink import RecordingSink
from tests.support.registration.use_cases import UseCases

pytestmark = pytest.mark.adapter


@pytest.fixture
def service(database):
    uow = partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None)
    return UseCases(uow, utc_now)


def dump(database) -> str:
    """Every stored value of both tables, as text: what a database dump would show."""
    with database.engine.connect() as connection:
        stored = [
            *connection.execute(sa.select(entries)).all(),
            *connection.execute(sa.select(outbox)).all(),
        ]
    return repr(stored)


def outbox_rows(database):
    with database.engine.connect() as connection:
        return connection.execute(sa.select(outbox).order_by(outbox.c.seq)).all()


def test_an_erasure_leaves_no_trace_of_the_address_and_one_event_without_it(service, database):
    address = unique_address()
    entry = service.pending_entry(address)

    service.erase_entry(str(entry.id))

    assert address.split("@")[0] not in dump(database)
    [erased] = outbox_rows(database)
    assert erased.event_type == "EntryErased"
    assert erased.entry_id == entry.id
    assert str(entry.id) in erased.payload


def test_published_rows_kept_for_replay_are_erased_too(service, database):
    address = unique_address()
    entry = service.pending_entry(address)
    OutboxRelay(OutboxStore(database), RecordingSink()).relay_pending()

    service.erase_entry(entry.id)

    assert address.split("@")[0] not in dump(database)
    assert [row.event_type for row in outbox_rows(database)] == ["EntryErased"]


def test_an_event_not_yet_sent_is_never_published(service, database):
    address = unique_address()
    entry = service.pending_entry(address)
    service.erase_entry(entry.id)
    sink = RecordingSink()

    OutboxRelay(OutboxStore(database), sink).relay_pending()

    assert [m.event_type for m in sink.published] == ["EntryErased"]
    assert address.split("@")[0] not in repr(sink.published)


def test_a_replay_after_an_erasure_holds_only_the_erasure(service, database):
    address = unique_address()
    before = utc_now()
    entry = service.pending_entry(address)
    service.erase_entry(entry.id)

    replayed = list(OutboxStore(database).stored_between(before, utc_now()))

    assert [m.event_type for m in replayed] == ["EntryErased"]


def test_other_entries_and_their_events_are_untouched(service, database):
    kept = service.pending_entry(unique_address())
    erased = service.pending_entry(unique_address())

    service.erase_entry(erased.id)

    assert service.get_entry(kept.id) == kept
    rows = outbox_rows(database)
    assert [(r.event_type, r.entry_id) for r in rows] == [
        ("ConfirmationRequested", kept.id),
        ("EntryErased", erased.id),
    ]


def test_the_same_address_registers_again_at_once(service):
    address = unique_address()
    service.erase_entry(service.pending_entry(address).id)

    again = service.pending_entry(address)

    assert service.get_entry(again.id) == again


def test_an_erasure_repeated_is_not_found_and_stores_nothing(service, database):
    entry = service.pending_entry(unique_address())
    service.erase_entry(entry.id)

    with pytest.raises(EntryNotFound):
        service.erase_entry(entry.id)
    assert len(outbox_rows(database)) == 1


def test_an_entry_erased_after_it_was_read_is_not_found_at_commit(service, database):
    entry = service.pending_entry(unique_address())
    late = SqlUnitOfWork(database, OutboxEventPublisher, lambda changes: None)
    with late:
        found = late.entries.get(entry.id)
        service.erase_entry(entry.id)  # another request wins meanwhile
        late.entries.remove(found)
        late.events.publish([found.erase(utc_now())])
        with pytest.raises(EntryNotFound):
            late.commit()

    assert [row.event_type for row in outbox_rows(database)] == ["EntryErased"]


def test_an_erasure_answered_as_unavailable_is_never_undone(service, database):
    entry = service.pending_entry(unique_address())
    changes = ChangeSet(erased_entries=[entry.id])

    database.unacknowledged.remember(changes)

    assert database.unacknowledged.take() == []


class HeldSink:
    """Holds the relay's batch open, its rows locked, until the test lets the broker confirm."""

    def __init__(self):
        self.published = []
        self.holding = threading.Event()
        self.confirm = threading.Event()

    def publish(self, messages):
        self.published.extend(messages)
        self.holding.set()
        self.confirm.wait(60)


def wait_until_an_erasure_waits_for_a_lock(database, erasure):
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM outbox%'"
    )
    while True:
        # a transaction per look: PostgreSQL keeps one snapshot of pg_stat_activity per transaction
        with database.engine.connect() as connection:
            if connection.execute(query).scalar():
                return
        assert erasure.is_alive(), "the erasure ended without waiting for the relay's batch"
        threading.Event().wait(0.01)


def test_an_erasure_racing_a_relay_batch_waits_for_it_then_leaves_nothing(fresh_postgres_url):
    # A deadline longer than the test: the erasure must wait for the batch, not give up on it.
    database = migrated_database(fresh_postgres_url, timeout_seconds=60)
    uow = partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None)
    service = UseCases(uow, utc_now)
    address = unique_address()
    entry = service.pending_entry(address)
    sink, outcome = HeldSink(), []

    def erase():
        try:
            outcome.append(service.erase_entry(entry.id))
        except Exception as error:
            outcome.append(error)

    relay = threading.Thread(target=OutboxRelay(OutboxStore(database), sink).relay_pending)
    erasure = threading.Thread(target=erase)
    try:
        relay.start()
        assert sink.holding.wait(30), "the relay never claimed the batch"
        erasure.start()

        wait_until_an_erasure_waits_for_a_lock(database, erasure)
        assert outcome == []  # still waiting for the relay's batch
    finally:
        sink.confirm.set()  # the broker confirms: the batch commits
        relay.join(30)
        if erasure.ident is not None:
            erasure.join(30)

    assert outcome == [None]
    assert [m.event_type for m in sink.published] == ["ConfirmationRequested"]
    assert address.split("@")[0] not in dump(database)
    assert [row.event_type for row in outbox_rows(database)] == ["EntryErased"]
    database.engine.dispose()
