"""SIGTERM under load: the service stops listening, answers what it has, keeps unsent events
pending, exits 0; after a restart every registration's event reaches the broker.

To have requests certainly in flight at the signal, the test holds a lock on the entries table:
every client's registration waits in the database until the test lets go, after the signal.
"""

import json
import time
from collections.abc import Callable
from pathlib import Path

import psycopg2
import pytest
import requests

from tests.support.ports import accepts_connections
from tests.support.registration.registration_load import EventCapture, RegistrationLoad
from tests.support.registration.service_process import ServiceProcess

pytestmark = pytest.mark.integration


@pytest.fixture
def amqp_uri(private_vhost):
    """Under the deployed name the service consumes `rpc-nameko_registration_service`: on a vhost
    of its own it answers no other run's RPC calls and leaves no queue behind."""
    return private_vhost.amqp_uri


CLIENTS = 4
WARM_UP_REGISTRATIONS = 100


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def waiting_on_locks(database_url: str) -> int:
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def stored(database_url: str) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """Address -> entry id; entry id -> event id of each outbox row; event ids of the rows
    published."""
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT email, id::text FROM entries")
        entries = dict(cursor.fetchall())
        cursor.execute("SELECT event_id::text, payload, published_at IS NOT NULL FROM outbox")
        outbox = cursor.fetchall()
    events = {json.loads(payload)["entry_id"]: event_id for event_id, payload, _ in outbox}
    published = {event_id for event_id, _, is_published in outbox if is_published}
    return entries, events, published


@pytest.mark.timeout(240)
def test_sigterm_under_load_finishes_requests_in_flight_and_loses_no_event(
    fresh_postgres_url: str, amqp_uri: str, tmp_path: Path
) -> None:
    environment = {
        "DATABASE_URL": fresh_postgres_url,
        "AMQP_URI": amqp_uri,
        # the lock below must hold requests back, not time them out into 503s
        "DATABASE_TIMEOUT_SECONDS": "60",
    }
    events = EventCapture(amqp_uri)
    service = ServiceProcess(tmp_path / "first-run.log", **environment)
    restarted = ServiceProcess(tmp_path / "second-run.log", **environment)
    load = RegistrationLoad(service.base_url, CLIENTS)
    blocker = None
    try:
        service.start()
        load.start()
        assert wait_until(lambda: len(load.registered()) >= WARM_UP_REGISTRATIONS, 60)

        blocker = psycopg2.connect(fresh_postgres_url)
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE entries IN SHARE MODE")  # inserts wait for it
        assert wait_until(lambda: len(load.unanswered()) == CLIENTS, 30)
        assert wait_until(lambda: waiting_on_locks(fresh_postgres_url) > 0, 30)
        time.sleep(0.5)  # lets the server read the last requests sent; asserts nothing
        signalled_at = time.monotonic()
        service.terminate()

        stopped_listening = wait_until(lambda: not accepts_connections(service.port), 10)
        blocker.rollback()
        load.join(60)
        exit_code = service.wait(max(0.0, signalled_at + 10 - time.monotonic()))  # 10 s to exit
        load.stop()

        assert stopped_listening, "still accepting connections while finishing its requests"
        assert exit_code == 0, service.output()
        in_flight = load.in_flight_at(signalled_at)
        assert len(in_flight) == CLIENTS
        assert [a.status for a in in_flight] == [202] * CLIENTS
        assert {a.status for a in load.attempts if a.status is not None} == {202}
        assert not [a for a in load.attempts if a.error and a.started < signalled_at]

        entries, event_of_entry, published = stored(fresh_postgres_url)
        assert {a.address for a in load.registered()} <= set(entries)
        registered = {entries[a.address] for a in load.registered()}
        assert registered <= set(event_of_entry)
        # a row is marked published only once the broker has it; the others wait
        published_entries = {e for e, event_id in event_of_entry.items() if event_id in published}
        assert not events.wait_for_entries(published_entries, timeout=15)

        restarted.start()
        assert not events.wait_for_entries(registered, timeout=60)
    finally:
        load.stop()
        if blocker is not None:
            blocker.close()
        service.stop()
        restarted.stop()
        events.close()


GRACE_SECONDS = 3.0


def test_readiness_fails_from_the_signal_while_the_grace_period_still_serves(
    fresh_postgres_url: str, amqp_uri: str, tmp_path: Path
) -> None:
    """Behind a balancer that learns of a shutdown only from health checks, the replica keeps
    answering, while failing readiness, until the balancer has taken it out."""
    service = ServiceProcess(
        tmp_path / "grace.log",
        DATABASE_URL=fresh_postgres_url,
        AMQP_URI=amqp_uri,
        SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS),
    )
    try:
        service.start()
        assert wait_until(lambda: ready_status(service) == 200, 30)
        service.terminate()
        assert wait_until(lambda: ready_status(service) == 503, GRACE_SECONDS / 2)
        registration = requests.post(
            f"{service.base_url}/register", json={"email": "grace@example.com"}, timeout=5
        )
        stopped_listening = wait_until(lambda: not accepts_connections(service.port), 10)
        exit_code = service.wait(10)
    finally:
        service.stop()

    assert registration.status_code == 202
    assert stopped_listening and exit_code == 0, service.output()


def ready_status(service: ServiceProcess) -> int | None:
    try:
        return requests.get(f"{service.base_url}/health/ready", timeout=2).status_code
    except requests.RequestException:
        return None
