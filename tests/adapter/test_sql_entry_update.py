"""An update of a stored entry takes the general transaction on every dialect, and a write of
that shape answered 503 is never undone (undoing means deleting: only insertions are undone)."""

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.outbox_rows import OutboxMessage
from registration.adapters.sql.postgres.group_commit import GroupCommitWriter
from registration.adapters.sql.schema import entries, outbox
from registration.adapters.sql.times import as_utc
from registration.application.errors import EntryNotFound, StorageUnavailable
from registration.domain.entry import Entry
from registration.domain.events import RegisteredEntryEvent, utc_now
from tests.support.databases import migrated_database, unique_address
from tests.support.registration.entries import ERASE_URL, new_entry

pytestmark = pytest.mark.adapter


def stored_entry(database) -> Entry:
    entry, event = new_entry(unique_address(), utc_now())
    database.write(ChangeSet(entries=[entry], outbox=[OutboxMessage.from_event(event, None)]))
    return entry


def an_update_with_its_event(entry: Entry) -> ChangeSet:
    """The shape of a state change: the entry's new state and an event about it."""
    changed = replace(
        entry, registered_at=entry.registered_at + timedelta(hours=1), version=entry.version + 1
    )
    event = RegisteredEntryEvent(entry_id=entry.id, email=str(entry.email), erase_url=ERASE_URL)
    return ChangeSet(updated_entries=[changed], outbox=[OutboxMessage.from_event(event, None)])


def stored_registered_at(database, entry: Entry):
    with database.engine.connect() as connection:
        moment = connection.execute(
            sa.select(entries.c.registered_at).where(entries.c.id == entry.id)
        ).scalar_one_or_none()
    return None if moment is None else as_utc(moment)


def outbox_event_ids(database) -> set:
    with database.engine.connect() as connection:
        return {row.event_id for row in connection.execute(sa.select(outbox.c.event_id))}


def test_the_group_commit_takes_only_one_new_entry_with_its_own_events(database):
    entry = stored_entry(database)
    other, event = new_entry(unique_address(), utc_now())
    about_other = OutboxMessage.from_event(event, None)

    assert GroupCommitWriter.accepts(ChangeSet(entries=[other], outbox=[about_other]))
    assert not GroupCommitWriter.accepts(an_update_with_its_event(entry))
    assert not GroupCommitWriter.accepts(ChangeSet(outbox=[about_other]))
    assert not GroupCommitWriter.accepts(ChangeSet(entries=[entry], outbox=[about_other]))
    assert not GroupCommitWriter.accepts(ChangeSet(entries=[other], erased_entries=[entry.id]))


def test_an_update_and_its_event_are_both_stored(database):
    entry = stored_entry(database)
    changes = an_update_with_its_event(entry)

    database.write(changes)

    assert stored_registered_at(database, entry) == changes.updated_entries[0].registered_at
    assert changes.outbox[0].event_id in outbox_event_ids(database)


def test_an_update_of_an_erased_entry_stores_nothing(database):
    entry = stored_entry(database)
    database.write(ChangeSet(erased_entries=[entry.id]))
    changes = an_update_with_its_event(entry)

    with pytest.raises(EntryNotFound):
        database.write(changes)

    assert changes.outbox[0].event_id not in outbox_event_ids(database)


def test_an_update_remembered_as_unacknowledged_is_never_undone(database):
    entry = stored_entry(database)
    changes = an_update_with_its_event(entry)
    database.write(changes)

    database.unacknowledged.remember(changes)

    assert database.undo_unacknowledged() == 0
    assert stored_registered_at(database, entry) == changes.updated_entries[0].registered_at


def test_an_update_answered_503_on_postgresql_leaves_the_entry_in_place(fresh_postgres_url):
    database = migrated_database(fresh_postgres_url, timeout_seconds=1.0)
    try:
        entry = stored_entry(database)
        changes = an_update_with_its_event(entry)
        locked, release = threading.Event(), threading.Event()

        def hold_the_row() -> None:
            with database.engine.connect() as connection, connection.begin():
                connection.execute(
                    sa.select(entries.c.id).where(entries.c.id == entry.id).with_for_update()
                )
                locked.set()
                release.wait(10)

        holder = threading.Thread(target=hold_the_row)
        holder.start()
        assert locked.wait(10)
        try:
            with pytest.raises(StorageUnavailable):
                database.write(changes)
        finally:
            release.set()
            holder.join()

        assert database.undo_unacknowledged() == 0
        assert stored_registered_at(database, entry) is not None
    finally:
        database.engine.dispose()
