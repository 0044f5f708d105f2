"""End to end: a sign-up over HTTP -> outbox -> RabbitMQ -> the welcome-mail subscriber -> a real
SMTP server, then the links in the mails followed as their reader would."""

import re
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from tests.support.auth import operator_headers, shared_issuer
from tests.support.databases import migrated_database
from tests.support.ports import free_port
from tests.support.registration.service_container import isolated_service_class
from tests.support.registration.sign_up import confirmation_request
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
            "MANAGEMENT_ADDRESS": f"127.0.0.1:{free_port()}",
            **shared_issuer().settings,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "LINK_SIGNING_KEYS": "a key for the end-to-end tests",
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


LINK = re.compile(r"https?://[^\s<>]+/(?:confirm|erase)/[A-Za-z0-9._-]+")


def links_in(mail) -> list[str]:
    part = mail.get_body(preferencelist=("plain", "html")) if mail.is_multipart() else mail
    return LINK.findall(part.get_content())


def link_to(mail, purpose: str) -> str:
    (link,) = {link for link in links_in(mail) if f"/{purpose}/" in link}
    return link


def sign_up(registration_url: str, address: str, **headers: str) -> requests.Response:
    response = requests.post(
        f"{registration_url}/register", json={"email": address}, headers=headers, timeout=10
    )
    assert response.status_code == 202, response.text
    return response


def one_click(link: str) -> requests.Response:
    """What a mail client's one-click unsubscribe sends (RFC 8058)."""
    return requests.post(link, data={"List-Unsubscribe": "One-Click"}, timeout=10)


def test_a_sign_up_mails_a_confirmation_and_its_click_the_welcome(
    registration_url, subscriber, smtp_server
):
    address = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    client_id = f"e2e-{uuid.uuid4().hex[:8]}"

    sign_up(registration_url, address, **{"X-Request-ID": client_id})
    (confirmation,) = smtp_server.wait_for_messages_to(address, count=1, timeout=20)
    assert requests.get(link_to(confirmation, "confirm"), timeout=10).status_code == 200
    assert smtp_server.wait_for_messages_to(address, count=2, timeout=2) == [confirmation]
    assert one_click(link_to(confirmation, "confirm")).status_code == 200
    mails = smtp_server.wait_for_messages_to(address, count=2, timeout=20)

    assert len(mails) == 2
    welcome = mails[1]
    for mail in mails:
        assert mail["From"] == "welcome@example.com"
        assert mail["List-Unsubscribe"].strip() == f"<{link_to(mail, 'erase')}>"  # maybe folded
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # nothing the client sent reaches a mail, its X-Request-ID included
        assert client_id not in mail.as_string()
    assert smtp_server.envelope_recipients[smtp_server.messages.index(welcome)] == [address]


def test_a_hundred_sign_ups_of_one_address_put_one_mail_in_its_inbox(
    registration_url, subscriber, smtp_server
):
    address = f"e2e-{uuid.uuid4().hex[:10]}@example.com"

    answers = {
        requests.post(
            f"{registration_url}/register", json={"email": address}, timeout=10
        ).status_code
        for _ in range(100)
    }
    smtp_server.wait_for_messages_to(address, count=1, timeout=20)
    later = smtp_server.wait_for_messages_to(address, count=2, timeout=5)

    assert answers == {202}
    assert len(later) == 1  # the next one may come after CONFIRMATION_RESEND_MINUTES, at most


def test_a_rejected_sign_up_sends_no_mail(registration_url, subscriber, smtp_server):
    address = f"e2e da ve {uuid.uuid4().hex[:10]}@example.com"
    response = requests.post(f"{registration_url}/register", json={"email": address}, timeout=10)

    assert response.status_code == 422
    assert smtp_server.wait_for_messages_to(address, count=1, timeout=3) == []


def erased_entry_ids(welcome_database: str) -> set[str]:
    engine = sa.create_engine(welcome_database)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text("SELECT entry_id FROM welcome_erased_entries")))
    finally:
        engine.dispose()


def wait_until_the_subscriber_forgot(entry_id: str, tmp_path) -> None:
    deadline = time.monotonic() + 20
    while entry_id not in erased_entry_ids(SUBSCRIBER_DATABASE.format(tmp_path=tmp_path)):
        assert time.monotonic() < deadline, "the subscriber never heard of the erasure"
        time.sleep(0.1)


def test_the_one_click_link_of_a_mail_erases_the_entry_everywhere(
    registration_url, subscriber, smtp_server, fresh_postgres_url, tmp_path
):
    address = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    sign_up(registration_url, address)
    (mail,) = smtp_server.wait_for_messages_to(address, count=1, timeout=20)
    entry_id = confirmation_request(fresh_postgres_url, address)["entry_id"]

    unsubscribe = mail["List-Unsubscribe"].strip().strip("<>")
    assert one_click(unsubscribe).status_code == 200

    assert (
        requests.get(
            f"{registration_url}/entries/{entry_id}", headers=operator_headers(), timeout=10
        ).status_code
        == 404
    )
    wait_until_the_subscriber_forgot(entry_id, tmp_path)
    assert one_click(unsubscribe).status_code == 200  # twice is harmless


def test_an_operators_erasure_over_http_reaches_the_subscriber(
    registration_url, subscriber, smtp_server, fresh_postgres_url, tmp_path
):
    address = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    sign_up(registration_url, address)
    smtp_server.wait_for_messages_to(address, count=1, timeout=20)
    entry_id = confirmation_request(fresh_postgres_url, address)["entry_id"]

    erased = requests.delete(
        f"{registration_url}/entries/{entry_id}", headers=operator_headers(), timeout=10
    )

    assert erased.status_code == 204
    wait_until_the_subscriber_forgot(entry_id, tmp_path)
