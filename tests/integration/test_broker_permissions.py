"""The broker users of deploy/rabbitmq, on a node of the test's own that loads them at boot as the
compose stack does: each service works under its own user, and cannot do what it has no need to.

Both services run under the deployed names with the compose file's credentials: a sign-up is
mailed after a refused first delivery (so the subscriber's retry path runs too), an RPC caller
set up as the README says gets its answer, and then each user is tried where it must not reach.
"""

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import amqp
import pytest
import requests
import yaml
from nameko.standalone.rpc import ServiceRpcProxy

from registration.entrypoints.service import RegistrationHttpService
from registration_contract import EVENTS_EXCHANGE, SERVICE_NAME
from tests.support.broker import connection_to
from tests.support.broker_node import own_broker_node
from tests.support.databases import fresh_postgres_database
from tests.support.ports import free_port
from tests.support.registration.service_container import (
    base_url,
    running_container,
    service_config,
)
from tests.support.welcome.smtp_server import RecordingSmtpServer
from tests.support.welcome.subscribers import DEPLOYED

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[2]
DEFINITIONS = REPOSITORY / "deploy" / "rabbitmq" / "definitions.json"
RPC_QUEUE = f"rpc-{SERVICE_NAME}"
# what the README tells a team to run for a caller of the registration RPC (configure, write and
# read alike: nameko's RPC exchange and the caller's own reply queues)
CALLER_PATTERN = r"^(nameko-rpc|rpc\.reply-standalone_rpc_proxy-.+)$"


def compose_broker_uri(service: str) -> str:
    """The AMQP_URI docker-compose.yml gives `service`: the content of its secret file."""
    compose = yaml.safe_load((REPOSITORY / "docker-compose.yml").read_text())
    secret = compose["services"][service]["environment"]["AMQP_URI_FILE"]
    source = compose["secrets"][secret.removeprefix("/run/secrets/")]["file"]
    return (REPOSITORY / source).read_text().strip()


def on_node(uri: str, node) -> str:
    parts = urlsplit(uri)
    return node.amqp_uri(parts.username, parts.password)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    with own_broker_node(
        tmp_path_factory.mktemp("broker"), f"load_definitions = {DEFINITIONS}"
    ) as node:
        yield node


@pytest.fixture(scope="module")
def registration_uri(node):
    return on_node(compose_broker_uri("registration"), node)


@pytest.fixture(scope="module")
def welcome_uri(node):
    return on_node(compose_broker_uri("welcome"), node)


@pytest.fixture(scope="module")
def smtp_server():
    server = RecordingSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def registration(registration_uri):
    with fresh_postgres_database() as database_url:
        port = free_port()
        config = service_config(
            registration_uri,
            database_url,
            WEB_SERVER_ADDRESS=f"127.0.0.1:{port}",
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
            LINK_SIGNING_KEYS="a key for the broker permission tests",
        )
        with running_container(RegistrationHttpService, config):
            yield base_url(config)


@pytest.fixture(scope="module")
def welcome(welcome_uri, smtp_server, registration, tmp_path_factory):
    config = {
        "AMQP_URI": welcome_uri,
        "WELCOME_WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "WELCOME_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('welcome')}/welcome.db",
        "NOTIFIER": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "MAIL_FROM": "welcome@example.com",
        "RETRY_DELAYS_SECONDS": "0.2",
    }
    with running_container(DEPLOYED.service_cls, config):
        yield


@pytest.fixture(scope="module")
def signed_up(registration, welcome, smtp_server):
    """An address whose confirmation request was mailed, on the second attempt."""
    address = f"permissions-{uuid.uuid4().hex[:10]}@example.com"
    smtp_server.refuse_next(1)
    answer = requests.post(f"{registration}/register", json={"email": address}, timeout=10)
    assert answer.status_code == 202, answer.text
    return address


def refusal(uri: str, attempt) -> str | None:
    """The broker's refusal of `attempt(channel)` (None if it was allowed)."""
    connection = connection_to(uri)
    connection.confirm_publish = True  # a refused publish raises instead of vanishing
    try:
        connection.connect()
        attempt(connection.channel())
    except amqp.exceptions.AccessRefused as refused:
        return str(refused)
    finally:
        connection.collect()
    return None


def consume(queue: str):
    return lambda channel: channel.basic_consume(queue, callback=lambda message: None)


def publish(exchange: str, routing_key: str):
    def attempt(channel):
        channel.confirm_select()
        channel.basic_publish(amqp.Message(b"{}"), exchange=exchange, routing_key=routing_key)

    return attempt


def test_each_service_works_under_its_own_user(signed_up, smtp_server):
    """Stored, relayed, consumed, retried through a delay queue and mailed."""
    (mail,) = smtp_server.wait_for_messages_to(signed_up, count=1, timeout=30)

    assert mail["To"] == signed_up


def test_an_rpc_caller_with_the_readmes_permissions_gets_its_answer(node, signed_up):
    node.rabbitmqctl("add_user", "caller", "caller-password")
    node.rabbitmqctl("set_permissions", "caller", *[CALLER_PATTERN] * 3)
    proxy = ServiceRpcProxy(
        SERVICE_NAME, {"AMQP_URI": node.amqp_uri("caller", "caller-password")}, timeout=10
    )
    try:
        entry = proxy.start().find_entry(signed_up)
    finally:
        proxy.stop()

    assert entry["email"] == signed_up


def test_guest_does_not_exist(node):
    assert refusal(node.amqp_uri("guest", "guest"), lambda channel: None) is not None


def test_the_welcome_user_cannot_consume_the_registration_rpc_queue(welcome_uri, signed_up):
    assert "access to queue" in refusal(welcome_uri, consume(RPC_QUEUE))


def test_the_welcome_user_cannot_publish_registration_events(welcome_uri, signed_up):
    refused = refusal(welcome_uri, publish(EVENTS_EXCHANGE, "RegisteredEntryEvent"))

    assert f"exchange '{EVENTS_EXCHANGE}'" in refused


def test_the_welcome_user_cannot_put_a_message_into_any_queue_by_the_default_exchange(
    welcome_uri, signed_up
):
    assert "amq.default" in refusal(welcome_uri, publish("", RPC_QUEUE))


def test_the_registration_user_cannot_read_the_subscribers_queues(registration_uri, signed_up):
    for queue in (DEPLOYED.work_queue, DEPLOYED.dead_letter_queue):
        assert "access to queue" in refusal(registration_uri, consume(queue))


def test_the_welcome_user_can_read_its_own_dead_letters(welcome_uri, signed_up):
    assert refusal(welcome_uri, consume(DEPLOYED.dead_letter_queue)) is None
