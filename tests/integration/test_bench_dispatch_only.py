"""The benchmark's yardstick, nameko's dispatch-only example, against the real RabbitMQ."""

import json
import time
import uuid
from datetime import datetime, timedelta

import kombu
import pytest
import requests
from bench.dispatch_only import DispatchOnlyExample
from bench.event_stats import event_stats
from bench.events import EventRecorder
from bench.load import new_run_token, registration_email
from bench.services import DISPATCH_ONLY_EXCHANGE

from tests.support.ports import free_port

pytestmark = pytest.mark.integration

EVENT_TIMEOUT_S = 10


def test_the_example_publishes_to_the_exchange_the_benchmark_cleans_up():
    assert (
        f"{DispatchOnlyExample.name}.events"
        == DISPATCH_ONLY_EXCHANGE
        == ("dispatch_only_example.events")
    )


@pytest.fixture
def service_name():
    # the example's class under a name of its own, so parallel runs never share an exchange
    return f"dispatch_only_example_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def published_events(amqp_uri, service_name):
    """Every RegisteredEntryEvent the example publishes, on a queue this test owns."""
    exchange = kombu.Exchange(f"{service_name}.events", type="topic", durable=True)
    queue = kombu.Queue(
        f"test-bench-{uuid.uuid4().hex}",
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
            queue.bind(connection.default_channel).delete()
            exchange.bind(connection.default_channel).delete()


@pytest.fixture
def base_url(container_factory, amqp_uri, service_name, published_events):
    port = free_port()
    example = type("IsolatedDispatchOnlyExample", (DispatchOnlyExample,), {"name": service_name})
    container = container_factory(
        example, {"AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"}
    )
    container.start()
    return f"http://127.0.0.1:{port}"


def register(base_url, body, content_type="application/json"):
    return requests.post(
        f"{base_url}/register", data=body, headers={"Content-Type": content_type}, timeout=10
    )


def test_a_registration_is_answered_201_with_a_json_body(base_url):
    response = register(base_url, json.dumps({"email": "ada@example.com"}))

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["email"] == "ada@example.com"


def test_the_published_event_is_plain_json_with_a_utc_iso_timestamp(base_url, published_events):
    register(base_url, json.dumps({"email": "ada@example.com"}))

    message = published_events.get(timeout=EVENT_TIMEOUT_S)
    event = json.loads(message.body)
    assert message.content_type == "application/json"
    # JSON primitives only: no kombu {"__type__": "datetime", ...} envelope
    assert all(isinstance(value, str) for value in event.values())
    assert event["name"] == "RegisteredEntryEvent"
    assert event["email"] == "ada@example.com"
    assert uuid.UUID(event["event_id"])
    assert datetime.fromisoformat(event["timestamp"]).utcoffset() == timedelta(0)


def test_every_event_gets_its_own_id_and_timestamp(base_url, published_events):
    register(base_url, json.dumps({"email": "ada@example.com"}))
    register(base_url, json.dumps({"email": "grace@example.com"}))

    first, second = (
        json.loads(published_events.get(timeout=EVENT_TIMEOUT_S).body) for _ in range(2)
    )
    assert first["event_id"] != second["event_id"]
    assert first["timestamp"] != second["timestamp"]


@pytest.mark.parametrize(
    "body",
    ["{not json", "", json.dumps(["ada@example.com"]), json.dumps({"mail": "ada@example.com"})],
    ids=["broken JSON", "empty body", "not an object", "no email"],
)
def test_a_body_without_an_email_is_answered_400_and_publishes_nothing(
    base_url, published_events, body
):
    response = register(base_url, body)

    assert response.status_code == 400
    with pytest.raises(published_events.Empty):
        published_events.get(timeout=1)


def test_the_benchmark_recorder_accounts_each_run_by_its_token(amqp_uri, service_name, base_url):
    mine, other = new_run_token(), new_run_token()

    with EventRecorder(amqp_uri, f"{service_name}.events") as recorder:
        for counter in range(3):
            register(base_url, json.dumps({"email": registration_email(mine, "t1", counter)}))
        register(base_url, json.dumps({"email": registration_email(other, "t1", 0)}))
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        while recorder.distinct_events_of_run(mine) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        stats = event_stats(recorder.events_of_run(mine), expected=3, load_ended_at=time.time())

    assert (stats.distinct, stats.missing, stats.duplicates, stats.malformed) == (3, 0, 0, 0)
    assert stats.lag_p99_ms is not None
