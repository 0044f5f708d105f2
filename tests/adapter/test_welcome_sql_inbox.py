"""The SQL inbox of processed events, on SQLite and on PostgreSQL."""

import eventlet
import pytest
from sqlalchemy import select

from welcome.adapters.sql_engine import create_inbox_engine
from welcome.adapters.sql_inbox import (
    SqlInbox,
    create_inbox_schema,
    erased_entries,
    processed_events,
)

pytestmark = pytest.mark.adapter


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'welcome.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    engine = create_inbox_engine(url, pool_size=4)
    create_inbox_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def inbox(engine):
    return SqlInbox(engine)


def stored_event_ids(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(processed_events.c.event_id)))


def test_a_new_event_is_recorded_once_committed(inbox, engine):
    with inbox.begin() as transaction:
        assert transaction.record_processed("e-1") is True
        transaction.commit()

    assert stored_event_ids(engine) == ["e-1"]


def test_a_committed_event_is_reported_as_a_duplicate(inbox):
    with inbox.begin() as transaction:
        transaction.record_processed("e-1")
        transaction.commit()

    with inbox.begin() as transaction:
        assert transaction.record_processed("e-1") is False


def test_leaving_without_commit_records_nothing(inbox, engine):
    with inbox.begin() as transaction:
        transaction.record_processed("e-1")

    assert stored_event_ids(engine) == []


def test_an_error_inside_the_transaction_rolls_the_record_back_and_propagates(inbox):
    with pytest.raises(RuntimeError), inbox.begin() as transaction:
        transaction.record_processed("e-1")
        raise RuntimeError("the mail server said no")

    with inbox.begin() as transaction:
        assert transaction.record_processed("e-1") is True


def test_creating_the_schema_again_keeps_the_records(inbox, engine):
    with inbox.begin() as transaction:
        transaction.record_processed("e-1")
        transaction.commit()

    create_inbox_schema(engine)

    assert stored_event_ids(engine) == ["e-1"]


def test_a_concurrent_second_delivery_waits_for_the_first_and_is_a_duplicate(inbox):
    # Also proves the driver yields to the eventlet hub: were it blocking, the second green
    # thread's wait inside the database would freeze the first, and this test would hang.
    order = []

    def first():
        with inbox.begin() as transaction:
            recorded = transaction.record_processed("e-1")
            order.append("first recorded")
            eventlet.sleep(0.3)  # e.g. the SMTP conversation
            order.append("first commits")
            transaction.commit()
            return recorded

    def second():
        with inbox.begin() as transaction:
            recorded = transaction.record_processed("e-1")
            order.append("second answered")
            return recorded

    first_thread = eventlet.spawn(first)
    eventlet.sleep(0.05)
    second_thread = eventlet.spawn(second)

    with eventlet.Timeout(15):
        results = (first_thread.wait(), second_thread.wait())

    assert results == (True, False)
    assert order == ["first recorded", "first commits", "second answered"]


def test_an_unsupported_database_is_refused_at_construction():
    from sqlalchemy import create_mock_engine

    with pytest.raises(ValueError, match="PostgreSQL and SQLite"):
        SqlInbox(create_mock_engine("mysql://", lambda *args, **kwargs: None))


def test_the_inbox_works_on_once_postgresql_ended_every_pooled_session(fresh_postgres_url):
    from tests.support.sessions import terminate_every_session

    engine = create_inbox_engine(fresh_postgres_url, pool_size=4)
    create_inbox_schema(engine)
    inbox = SqlInbox(engine)
    for event_id in ("before-1", "before-2"):
        with inbox.begin() as transaction:
            transaction.record_processed(event_id)
            transaction.commit()
    assert terminate_every_session(fresh_postgres_url) >= 1

    recorded = []
    for number in range(10):
        with inbox.begin() as transaction:
            recorded.append(transaction.record_processed(f"after-{number}"))
            transaction.commit()

    assert recorded == [True] * 10
    assert len(stored_event_ids(engine)) == 12
    engine.dispose()


def test_an_erased_entry_is_known_once_committed_and_recorded_once(inbox, engine):
    with inbox.begin() as transaction:
        transaction.record_erased("entry-1")
        transaction.record_erased("entry-1")
        assert transaction.is_erased("entry-1")
        transaction.commit()

    with inbox.begin() as transaction:
        assert transaction.is_erased("entry-1")
        assert not transaction.is_erased("entry-2")
    with engine.connect() as connection:
        assert list(connection.scalars(select(erased_entries.c.entry_id))) == ["entry-1"]


def test_an_erasure_left_without_commit_is_forgotten(inbox):
    with inbox.begin() as transaction:
        transaction.record_erased("entry-1")

    with inbox.begin() as transaction:
        assert not transaction.is_erased("entry-1")
