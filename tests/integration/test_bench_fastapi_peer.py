"""The benchmark's FastAPI peer answers the same HTTP contract as our service, against the real
PostgreSQL and RabbitMQ, run the way the benchmark runs it (uvicorn, uvloop, httptools)."""

import json
import uuid

import kombu
import pytest
import requests
from bench.broker import exchange_removed_afterwards
from bench.database import create_fastapi_schema
from bench.processes import http_ready, running_service
from bench.services import (
    FASTAPI_EXCHANGE,
    FASTAPI_READINESS_PATH,
    REPO_ROOT,
    fastapi_command,
    fastapi_env,
)

from tests.support.databases import fresh_postgres_database
from tests.support.ports import free_port

pytestmark = pytest.mark.integration

EVENT_TIMEOUT_S = 10


@pytest.fixture(scope="module")
def published_events(amqp_uri):
    """Every RegisteredEntryEvent the peer publishes, on a queue this module owns."""
    with exchange_removed_afterwards(amqp_uri, FASTAPI_EXCHANGE):
        exchange = kombu.Exchange(FASTAPI_EXCHANGE, type="topic", durable=True)
        queue = kombu.Queue(
            f"test-bench-fastapi-{uuid.uuid4().hex}",
            exchange,
            routing_key="RegisteredEntryEvent",
            exclusive=True,
            auto_delete=True,
        )
        with kombu.Connection(amqp_uri) as connection:
            events = connection.SimpleQueue(queue)
            try:
                yield events
            finally:
                events.close()


@pytest.fixture(scope="module")
def base_url(amqp_uri, published_events, tmp_path_factory):
    with fresh_postgres_database() as database_url:
        create_fastapi_schema(database_url)
        port = free_port()
        with running_service(
            "fastapi",
            fastapi_command(port, workers=1),
            fastapi_env(database_url, amqp_uri),
            port,
            tmp_path_factory.mktemp("fastapi") / "fastapi.log",
            http_ready(FASTAPI_READINESS_PATH),
            cwd=REPO_ROOT,
        ) as service:
            yield service.base_url


def new_address() -> str:
    return f"peer-{uuid.uuid4().hex[:12]}@example.com"


def register(base_url, email) -> requests.Response:
    return requests.post(f"{base_url}/register", json={"email": email}, timeout=10)


def events_for(published_events, email: str) -> list[kombu.Message]:
    """The events for this address among what arrives within the timeout (others' are skipped)."""
    found = []
    try:
        while True:
            message = published_events.get(timeout=1 if found else EVENT_TIMEOUT_S)
            message.ack()
            if json.loads(message.body)["email"] == email:
                found.append(message)
    except published_events.Empty:
        return found


def test_a_registration_is_answered_201_with_the_entry_and_its_location(base_url):
    email = new_address()

    response = register(base_url, email)

    assert response.status_code == 201
    entry = response.json()
    assert set(entry) == {"id", "email", "registered_at"}
    assert entry["email"] == email
    assert response.headers["Location"] == f"/entries/{entry['id']}"


def test_a_registration_publishes_one_persistent_json_event(base_url, published_events):
    email = new_address()

    entry = register(base_url, email).json()

    (message,) = events_for(published_events, email)
    event = json.loads(message.body)
    assert message.content_type == "application/json"
    assert message.properties["delivery_mode"] == 2
    assert event["name"] == "RegisteredEntryEvent"
    assert event["entry_id"] == entry["id"]
    assert message.properties["message_id"] == event["event_id"]


def test_the_same_address_in_another_case_is_a_409(base_url, published_events):
    email = new_address()
    register(base_url, email)

    response = register(base_url, email.upper().replace("@EXAMPLE.COM", "@example.com"))

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert len(events_for(published_events, email)) == 1


@pytest.mark.parametrize("email", ["not-an-address", "a@", "@example.com", ""])
def test_an_invalid_address_is_a_422(base_url, email):
    response = register(base_url, email)

    assert response.status_code == 422
