"""End to end: HTTP POST -> outbox -> RabbitMQ -> the welcome-mail subscriber -> a real SMTP server."""

import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from tests.support.databases import migrated_database
from tests.support.ports import free_port
from tests.support.registration.service_container import isolated_service_class
from tests.support.welcome.smtp_server import RecordingSmtpServer
from tests.support.welcome.subscribers import DEPLOYED

pytestmark = pytest.mark.e2e

RETRY_DELAYS = (0.2, 0.4)
SUBSCRIBER_DATABASE = "sqlite:///{tmp_path}/welcome.db"


@pytest.fixture
def amqp_uri(private_vhost):
    """The subscriber runs under the deployed names: on a vhost of its own its work queue holds
    nothing but this test's events (another run may have left thousands in the shared one), and
    every queue it declares goes with the vhost."""
    return private_vhost.amqp_uri


@pytest.fixture
def smtp_server():
    server = RecordingSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def registration_url(container_factory, amqp_uri, fresh_postgres_url):
    migrated_database(fresh_postgres_url).engine.dispose()
    port = free_port()
    # Under its own name, so it answers no other run's RPC and leaves no durable RPC queue.
    service = isolated_service_class()
    container = container_factory(
        service,
        {
            "AMQP_URI": amqp_uri,
            "DATABASE_URL": fresh_postgres_url,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
            "OUTBOX_POLL_SECONDS": 0.5,
        },
    )
    container.start()
    yield f"http://127.0.0.1:{port}"
    container.stop()


@pytest.fixture
def subscriber(container_factory, amqp_uri, tmp_path, smtp_server):
    config = {
        "AMQP_URI": amqp_uri,
        "WELCOME_WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "WELCOME_DATABASE_URL": SUBSCRIBER_DATABASE.format(tmp_path=tmp_path),
        "NOTIFIER": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "MAIL_FROM": "welcome@example.com",
        "RETRY_DELAYS_SECONDS": ",".join(map(str, RETRY_DELAYS)),
    }
    container = container_factory(DEPLOYED.service_cls, config)
    container.start()
    yield container
    container.stop()


def test_a_registration_over_http_ends_in_one_welcome_mail(
    registration_url, subscriber, smtp_server
):
    address = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    request_id = f"e2e-{uuid.uuid4().hex[:8]}"

    response = requests.post(
        f"{registration_url}/register",
        json={"email": address},
        headers={"X-Request-ID": request_id},
        timeout=10,
    )
    assert response.status_code == 201
    mails = smtp_server.wait_for_messages_to(address, count=1, timeout=20)

    assert len(mails) == 1
    assert mails[0]["From"] == "welcome@example.com"
    # the id the service made for the request, never the client's own X-Request-ID
    assert mails[0]["X-Request-ID"] == response.headers["X-Request-ID"] != request_id
    assert smtp_server.envelope_recipients[smtp_server.messages.index(mails[0])] == [address]


def test_a_rejected_registration_sends_no_mail(registration_url, subscriber, smtp_server):
    address = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    first = requests.post(f"{registration_url}/register", json={"email": address}, timeout=10)
    duplicate = requests.post(
        f"{registration_url}/register", json={"email": address.upper()}, timeout=10
    )
    smtp_server.wait_for_messages_to(address, count=1, timeout=20)

    later = smtp_server.wait_for_messages_to(address, count=2, timeout=3)

    assert (first.status_code, duplicate.status_code) == (201, 409)
    assert len(later) == 1


def erased_entry_ids(welcome_database: str) -> set[str]:
    engine = sa.create_engine(welcome_database)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text("SELECT entry_id FROM welcome_erased_entries")))
    finally:
        engine.dispose()


def test_an_erasure_over_http_reaches_the_subscriber(
    registration_url, subscriber, smtp_server, tmp_path
):
    address = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    entry_id = requests.post(
        f"{registration_url}/register", json={"email": address}, timeout=10
    ).json()["id"]
    smtp_server.wait_for_messages_to(address, count=1, timeout=20)

    erased = requests.delete(f"{registration_url}/entries/{entry_id}", timeout=10)

    assert erased.status_code == 204
    deadline = time.monotonic() + 20
    while entry_id not in erased_entry_ids(SUBSCRIBER_DATABASE.format(tmp_path=tmp_path)):
        assert time.monotonic() < deadline, "the subscriber never heard of the erasure"
        time.sleep(0.1)
