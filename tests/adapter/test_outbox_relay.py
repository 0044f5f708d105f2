import json
from datetime import timedelta
from functools import partial

import pytest

from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.outbox.relay import OutboxRelay
from registration.adapters.outbox.store import OutboxStore
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.domain.events import utc_now
from tests.support.databases import unique_address
from tests.support.registration.use_cases import UseCases

pytestmark = pytest.mark.adapter


class RecordingBroker:
    def __init__(self):
        self.published = []
        self.failing = False

    def publish(self, messages):
        if self.failing:
            raise ConnectionError("broker down")
        self.published.extend(messages)


@pytest.fixture
def service(database):
    uow = partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None)
    return UseCases(uow, utc_now)


@pytest.fixture
def store(database):
    return OutboxStore(database)


@pytest.fixture
def broker():
    return RecordingBroker()


@pytest.fixture
def relay(store, broker):
    return OutboxRelay(store, broker, batch_size=3)


def test_pending_events_are_published_in_order_of_creation(service, relay, broker):
    entries = [service.pending_entry(unique_address()) for _ in range(7)]

    assert relay.relay_pending() == 7

    published = [json.loads(m.payload)["entry_id"] for m in broker.published]
    assert published == [str(e.id) for e in entries]


def test_published_events_are_not_published_again(service, relay, broker, store):
    service.pending_entry(unique_address())
    relay.relay_pending()

    assert relay.relay_pending() == 0
    assert len(broker.published) == 1
    assert store.status().pending == 0


def test_events_stay_pending_while_the_broker_fails(service, relay, broker, store):
    service.pending_entry(unique_address())
    broker.failing = True

    with pytest.raises(ConnectionError):
        relay.relay_pending()

    assert store.status().pending == 1
    broker.failing = False
    relay.relay_pending()
    assert store.status().pending == 0


def test_a_republished_event_keeps_its_event_id(service, relay, broker, store):
    service.pending_entry(unique_address())
    original = next(iter(store.stored_between(utc_now().replace(year=2000), utc_now())))
    relay.relay_pending()

    assert broker.published[0].event_id == original.event_id
    assert json.loads(broker.published[0].payload)["event_id"] == str(original.event_id)


def test_status_reports_the_backlog_and_its_oldest_age(service, store):
    for _ in range(3):
        service.pending_entry(unique_address())

    status = store.status()

    assert status.pending == 3
    assert status.oldest_pending_age_seconds(utc_now()) >= 0


def test_pruning_removes_old_published_rows_and_keeps_pending_ones(service, relay, store):
    service.pending_entry(unique_address())
    relay.relay_pending()
    service.pending_entry(unique_address())

    removed = store.prune_published(retention=timedelta(seconds=-60))

    assert removed == 1
    assert store.status().pending == 1
    assert len(list(store.stored_between(utc_now() - timedelta(days=1), utc_now()))) == 1
