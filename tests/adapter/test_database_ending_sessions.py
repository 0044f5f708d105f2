"""PostgreSQL ending the service's sessions: a restart, a failover or an idle-connection reaper
(all look like `pg_terminate_backend`), and a relay whose claim never ends (a frozen replica)."""

import time
from functools import partial

import eventlet
import pytest

from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.outbox.relay import OutboxRelay
from registration.adapters.outbox.store import OutboxStore
from registration.adapters.sql.database import Database
from registration.adapters.sql.engine import make_green_engine
from registration.adapters.sql.migrate import upgrade_to_head
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.application.errors import StorageUnavailable
from registration.domain.events import utc_now
from tests.support.databases import unique_address
from tests.support.registration.recording_sink import RecordingSink
from tests.support.registration.use_cases import UseCases
from tests.support.sessions import terminate_every_session

pytestmark = pytest.mark.adapter

TIMEOUT = 3.0


def open_database(url: str, idle_in_transaction_seconds: float = 10.0) -> Database:
    engine = make_green_engine(url, 12, TIMEOUT, idle_in_transaction_seconds)
    return Database(engine, TIMEOUT)


def registrations(database: Database) -> UseCases:
    unit_of_work = partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None)
    return UseCases(unit_of_work, utc_now)


@pytest.fixture
def url(fresh_postgres_url):
    upgrade_to_head(fresh_postgres_url)
    return fresh_postgres_url


def test_no_request_fails_once_the_database_ended_every_pooled_session(url):
    database = open_database(url)
    service = registrations(database)
    store = OutboxStore(database)
    pool = eventlet.GreenPool(20)
    list(pool.imap(lambda _: service.pending_entry(unique_address()), range(40)))
    with store.claim_pending(100):  # the relay's prepared claim, on a pooled connection
        pass
    assert terminate_every_session(url) >= 1, "the pool held no session to end"

    entries = [service.pending_entry(unique_address()) for _ in range(50)]
    read_back = [service.get_entry(str(entry.id)) for entry in entries]
    with store.claim_pending(100) as claimed:
        relayed = len(claimed)

    assert read_back == entries
    assert relayed == 50
    database.engine.dispose()


def test_a_claim_whose_relay_froze_mid_publish_passes_to_another_relay(url):
    frozen = OutboxStore(open_database(url, idle_in_transaction_seconds=1.0))
    other = open_database(url)
    sink = RecordingSink()
    published = sink.published
    other_relay = OutboxRelay(OutboxStore(other), sink)
    ids = {registrations(other).pending_entry(unique_address()).id for _ in range(3)}

    with pytest.raises(StorageUnavailable), frozen.claim_pending(10) as claimed:
        assert len(claimed) == 3
        assert other_relay.relay_pending() == 0, "rows under a live claim were taken"
        # Frozen: nothing more reaches the database from this session until the server ends it.
        deadline = time.monotonic() + 10
        while not published and time.monotonic() < deadline:
            time.sleep(0.2)
            other_relay.relay_pending()

    assert {m.event_id for m in published} == {m.event_id for m in claimed}
    assert len(published) == len(ids)
