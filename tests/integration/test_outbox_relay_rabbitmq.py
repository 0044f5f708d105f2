import json
import time
from collections import Counter
from functools import partial

import eventlet
import pytest

from registration.adapters.amqp.confirmed_publisher import BrokerUnavailable, ConfirmedAmqpPublisher
from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.outbox.relay import OutboxRelay
from registration.adapters.outbox.store import OutboxStore
from registration.adapters.sql.unit_of_work import SqlUnitOfWork
from registration.bootstrap import EVENTS_EXCHANGE
from registration.domain.events import utc_now
from registration.infrastructure.settings import BrokerSettings
from tests.support.databases import migrated_database, unique_address
from tests.support.registration.event_queue import EventQueue
from tests.support.registration.use_cases import UseCases

pytestmark = pytest.mark.integration


@pytest.fixture
def database(fresh_postgres_url):
    db = migrated_database(fresh_postgres_url)
    yield db
    db.engine.dispose()


@pytest.fixture
def service(database):
    uow = partial(SqlUnitOfWork, database, OutboxEventPublisher, lambda changes: None)
    return UseCases(uow, utc_now)


@pytest.fixture
def events():
    queue = EventQueue(routing_key="ConfirmationRequested")
    yield queue
    queue.close()


@pytest.fixture
def publishers(amqp_uri):
    made = []

    def make(uri=amqp_uri):
        made.append(ConfirmedAmqpPublisher(BrokerSettings(uri), EVENTS_EXCHANGE, timeout_seconds=2))
        return made[-1]

    yield make
    for publisher in made:
        publisher.close()


def test_relayed_events_reach_a_plain_amqp_consumer_as_the_contract_says(
    service, database, events, publishers
):
    entry = service.pending_entry(unique_address())
    OutboxRelay(OutboxStore(database), publishers()).relay_pending()

    [body] = events.wait_for({str(entry.id)})
    [message] = events.messages_about({str(entry.id)})
    assert body["entry_id"] == str(entry.id)
    assert body["name"] == "ConfirmationRequested"
    assert message.properties["content_type"] == "application/json"
    assert message.properties["delivery_mode"] == 2
    assert message.properties["message_id"] == body["event_id"]
    assert message.delivery_info["routing_key"] == "ConfirmationRequested"


def test_two_relays_on_one_outbox_publish_each_event_once(service, database, events, publishers):
    expected = {str(service.pending_entry(unique_address()).id) for _ in range(300)}
    relays = [OutboxRelay(OutboxStore(database), publishers(), batch_size=20) for _ in range(2)]

    pool = eventlet.GreenPool()
    counts = list(pool.imap(lambda relay: relay.relay_pending(), relays))

    bodies = events.wait_for(expected)
    events.drain(1.0)
    per_entry = Counter(body["entry_id"] for body in events.bodies(expected))
    assert set(per_entry) == expected
    assert set(per_entry.values()) == {1}
    assert sum(counts) == 300
    assert all(count > 0 for count in counts), "both relays should have taken a share"
    assert len(bodies) == 300


def test_an_unreachable_broker_leaves_events_pending(service, database, publishers):
    service.pending_entry(unique_address())
    store = OutboxStore(database)
    relay = OutboxRelay(store, publishers("amqp://guest:guest@127.0.0.1:1/"))

    with pytest.raises(BrokerUnavailable):
        relay.relay_pending()

    assert store.status().pending == 1


def test_the_replay_command_republishes_stored_events_with_their_ids(
    service, database, events, publishers, fresh_postgres_url, monkeypatch, capsys
):
    from registration.entrypoints.cli import outbox as outbox_cli

    entries = {str(service.pending_entry(unique_address()).id) for _ in range(3)}
    OutboxRelay(OutboxStore(database), publishers()).relay_pending()
    first_pass = events.wait_for(entries)

    monkeypatch.setenv("DATABASE_URL", fresh_postgres_url)
    assert outbox_cli.main(["replay", "--since", "2000-01-01T00:00:00+00:00"]) == 0

    both_passes = events.wait_for(entries, count=6)
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"replayed": 3}
    assert sorted(b["event_id"] for b in both_passes) == sorted(
        [b["event_id"] for b in first_pass] * 2
    )
    assert {b["entry_id"] for b in both_passes} == entries


def test_the_status_command_reports_pending_events(
    service, fresh_postgres_url, monkeypatch, capsys
):
    from registration.entrypoints.cli import outbox as outbox_cli

    service.pending_entry(unique_address())
    monkeypatch.setenv("DATABASE_URL", fresh_postgres_url)

    assert outbox_cli.main(["status"]) == 0

    status = json.loads(capsys.readouterr().out)
    assert status["pending"] == 1
    assert status["oldest_pending_age_seconds"] >= 0


@pytest.fixture
def broker_link(amqp_uri):
    from kombu.utils.url import parse_url

    from tests.support.proxy_process import ProxyProcess

    proxy = ProxyProcess(parse_url(amqp_uri).get("port") or 5672)
    yield proxy
    proxy.close()


IDLE_SECONDS = 4.0  # past two heartbeats of 1 s: the broker would have closed a silent client


def keep_alive_for(publisher, seconds: float) -> None:
    """What the relay does between rounds while nothing is pending."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        publisher.keep_alive()
        time.sleep(0.25)


def test_an_idle_relay_connection_stays_open_through_heartbeats(
    service, database, events, publishers, broker_link
):
    publisher = publishers(f"amqp://guest:guest@127.0.0.1:{broker_link.port}/?heartbeat=1")
    relay = OutboxRelay(OutboxStore(database), publisher)
    first = service.pending_entry(unique_address())
    relay.relay_pending()
    keep_alive_for(publisher, IDLE_SECONDS)
    second = service.pending_entry(unique_address())
    relay.relay_pending()

    events.wait_for({str(first.id), str(second.id)})
    assert broker_link.connections_accepted() == 1, "the idle connection was lost"


def test_an_idle_connection_whose_broker_fell_silent_is_replaced_before_the_next_batch(
    service, database, events, publishers, broker_link
):
    publisher = publishers(f"amqp://guest:guest@127.0.0.1:{broker_link.port}/?heartbeat=1")
    relay = OutboxRelay(OutboxStore(database), publisher)
    service.pending_entry(unique_address())
    relay.relay_pending()
    broker_link.mute()  # the broker's heartbeats stop arriving; nothing says the link is gone
    keep_alive_for(publisher, IDLE_SECONDS)
    broker_link.restore()  # the old connection is gone for good
    entry = service.pending_entry(unique_address())

    assert relay.relay_pending() == 1  # raises BrokerUnavailable if it used the dead connection
    events.wait_for({str(entry.id)})
