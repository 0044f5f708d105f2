import threading
from functools import partial

import pytest
import sqlalchemy as sa

from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.sql.schema import entries, outbox
from registration.adapters.sql.times import as_utc
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.application.use_cases.register_entry import Outcome
from registration.domain.events import utc_now
from tests.support.databases import unique_address
from tests.support.registration.entries import new_entry
from tests.support.registration.use_cases import UseCases

pytestmark = pytest.mark.adapter


@pytest.fixture
def committed_changes():
    return []


@pytest.fixture
def service(database, committed_changes):
    uow = partial(SqlUnitOfWork, database, OutboxEventPublisher, committed_changes.append)
    return UseCases(uow, utc_now)


def rows(database, table):
    with database.engine.connect() as connection:
        return connection.execute(sa.select(table)).all()


def test_an_entry_and_its_outbox_row_are_stored_together(service, database):
    entry = service.register_entry(unique_address()).entry

    stored = rows(database, entries)
    events = rows(database, outbox)
    assert [row.id for row in stored] == [entry.id]
    assert len(events) == 1
    assert events[0].event_type == "ConfirmationRequested"
    assert events[0].published_at is None
    assert str(entry.id) in events[0].payload
    # the same instant, to the microsecond, whichever way the writer sent it
    assert as_utc(events[0].created_at) == entry.registered_at


def test_a_pending_address_given_again_within_the_resend_interval_stores_nothing_more(
    service, database
):
    address = unique_address()
    service.register_entry(address)

    again = service.register_entry(f"  {address.upper()} ")

    assert again.outcome is Outcome.RESEND_SUPPRESSED
    assert len(rows(database, entries)) == 1
    assert len(rows(database, outbox)) == 1


def test_a_stored_entry_is_read_back_with_every_field(service):
    entry = service.register_entry(unique_address()).entry

    assert service.get_entry(entry.id) == entry


def test_leaving_the_unit_without_commit_writes_nothing(database, committed_changes):
    uow = SqlUnitOfWork(database, OutboxEventPublisher, committed_changes.append)
    with uow:
        pass

    assert rows(database, entries) == []
    assert committed_changes == []


def test_concurrent_registrations_of_one_address_store_exactly_one(service, database):
    address = unique_address()
    outcomes = []

    def register():
        outcomes.append(service.register_entry(address).outcome)

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (
        sorted(o.value for o in outcomes) == ["confirmation_requested"] + ["resend_suppressed"] * 7
    )
    assert len(rows(database, entries)) == 1
    assert len(rows(database, outbox)) == 1


def test_a_write_answered_as_unavailable_is_undone_if_it_committed(service, database):
    from registration.adapters.sql.changes import ChangeSet
    from registration.adapters.sql.outbox_rows import OutboxMessage

    # As if the commit went through but its answer never arrived: stored, yet remembered.
    entry, event = new_entry(unique_address(), utc_now())
    changes = ChangeSet(entries=[entry], outbox=[OutboxMessage.from_event(event, None)])
    database.write(changes)
    database.unacknowledged.remember(changes)

    assert database.undo_unacknowledged() == 1
    assert rows(database, entries) == []
    assert rows(database, outbox) == []


def test_a_write_whose_statement_may_still_run_is_undone_only_once_settled(service, database):
    from registration.adapters.sql.changes import ChangeSet
    from registration.adapters.sql.outbox_rows import OutboxMessage

    entry, event = new_entry(unique_address(), utc_now())
    changes = ChangeSet(entries=[entry], outbox=[OutboxMessage.from_event(event, None)])
    settled = False
    database.unacknowledged.remember(changes, settled=lambda: settled)

    undone_while_running = database.undo_unacknowledged()
    database.write(changes)  # the statement commits after that first look
    settled = True

    assert undone_while_running == 0
    assert database.undo_unacknowledged() == 1
    assert rows(database, entries) == []


def test_an_unacknowledged_write_already_announced_is_kept(service, database):
    from registration.adapters.outbox.store import OutboxStore
    from registration.adapters.sql.changes import ChangeSet
    from registration.adapters.sql.outbox_rows import OutboxMessage

    entry, event = new_entry(unique_address(), utc_now())
    changes = ChangeSet(entries=[entry], outbox=[OutboxMessage.from_event(event, None)])
    database.write(changes)
    with OutboxStore(database).claim_pending(10):
        pass  # published by another relay before this one could undo it
    database.unacknowledged.remember(changes)

    assert database.undo_unacknowledged() == 0
    assert len(rows(database, entries)) == 1
