"""What operators and integrators read from a running service: documents, metrics, health."""

import uuid

import jsonschema
import psycopg2
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.auth import operator_headers
from tests.support.databases import fresh_postgres_database
from tests.support.registration.event_recorder import EventRecorder
from tests.support.registration.service_container import (
    base_url,
    delete_rpc_queue,
    isolated_service_class,
    management_url,
    running_container,
    service_config,
)
from tests.support.registration.sign_up import confirmation_request, follow
from tests.support.web import WebSession

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def database_url():
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def config(database_url):
    from tests.conftest import AMQP_URI  # the session fixture is not available at module scope

    service_cls = isolated_service_class()
    config = service_config(AMQP_URI, database_url)
    with running_container(service_cls, config):
        yield config
    delete_rpc_queue(AMQP_URI, service_cls.name)


@pytest.fixture(scope="module")
def service(config):
    return base_url(config)


@pytest.fixture(scope="module")
def operators(config):
    """The operators' listener: health detail and metrics."""
    return management_url(config)


@pytest.fixture
def events(amqp_uri):
    recorder = EventRecorder(amqp_uri)
    yield recorder
    recorder.close()


def register(service, **headers):
    address = f"ops-{uuid.uuid4().hex[:12]}@example.com"
    response = requests.post(
        f"{service}/register", json={"email": address}, headers=headers, timeout=10
    )
    assert response.status_code == 202
    response.address = address
    return response


def samples(operators):
    text = requests.get(f"{operators}/metrics", timeout=10).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.mark.parametrize("confirmed", [False, True], ids=["ConfirmationRequested", "registered"])
def test_a_live_event_matches_the_served_asyncapi_document(
    service, database_url, amqp_uri, confirmed
):
    document = requests.get(f"{service}/asyncapi.json", timeout=10).json()
    event_type = "RegisteredEntryEvent" if confirmed else "ConfirmationRequested"
    events = EventRecorder(amqp_uri, routing_key=event_type)
    try:
        response = register(service, **{"X-Request-ID": "ops-asyncapi-1"})
        request = confirmation_request(database_url, response.address)
        if confirmed:
            with WebSession(service) as session:
                assert follow(session, request["confirm_url"]).ok
        entry_id = request["entry_id"]
        [event] = [
            e
            for e in events.wait_until(lambda got: any(e.body["entry_id"] == entry_id for e in got))
            if e.body["entry_id"] == entry_id
        ]
    finally:
        events.close()

    message = document["components"]["messages"][event_type]
    payload_schema = document["components"]["schemas"][event_type]
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    jsonschema.validate(event.body, payload_schema, format_checker=checker)
    jsonschema.validate(event.headers, message["headers"], format_checker=checker)
    assert event.properties["content_type"] == message["contentType"]
    if not confirmed:  # the request that confirmed is another one
        assert event.request_id == response.headers["X-Request-ID"] != "ops-asyncapi-1"


@pytest.fixture
def erasures(amqp_uri):
    recorder = EventRecorder(amqp_uri, routing_key="EntryErased")
    yield recorder
    recorder.close()


def test_a_live_erasure_event_matches_the_served_asyncapi_document(service, database_url, erasures):
    document = requests.get(f"{service}/asyncapi.json", timeout=10).json()
    entry_id = confirmation_request(database_url, register(service).address)["entry_id"]
    erased = requests.delete(
        f"{service}/entries/{entry_id}",
        headers={"X-Request-ID": "ops-erasure-1", **operator_headers()},
        timeout=10,
    )
    assert erased.status_code == 204

    [event] = [
        e
        for e in erasures.wait_until(lambda got: any(e.body["entry_id"] == entry_id for e in got))
        if e.body["entry_id"] == entry_id
    ]

    message = document["components"]["messages"]["EntryErased"]
    payload_schema = document["components"]["schemas"]["EntryErased"]
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    jsonschema.validate(event.body, payload_schema, format_checker=checker)
    jsonschema.validate(event.headers, message["headers"], format_checker=checker)
    assert event.properties["content_type"] == message["contentType"]
    assert event.properties["type"] == message["bindings"]["amqp"]["messageType"]
    assert event.request_id == erased.headers["X-Request-ID"] != "ops-erasure-1"


def test_the_served_openapi_document_describes_every_route(service):
    document = requests.get(f"{service}/openapi.json", timeout=10).json()

    assert document["openapi"].startswith("3.1")
    assert {"/register", "/entries/{entry_id}", "/entries/lookup", "/health/ready"} <= set(
        document["paths"]
    )
    assert not {"/health", "/metrics"} & set(document["paths"]), "the operators' surface"


def test_metrics_count_registrations_requests_and_the_outbox(operators, service):
    before = samples(operators)
    register(service)
    requests.post(f"{service}/register", json={"email": "not an address"}, timeout=10)

    after = samples(operators)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("registrations_total", outcome="confirmation_requested") == 1
    assert grew("registrations_total", outcome="invalid") == 1
    assert (
        grew("http_request_duration_seconds_count", method="POST", route="/register", status="202")
        == 1
    )
    assert ("outbox_pending_events", ()) in after
    assert ("outbox_oldest_pending_age_seconds", ()) in after
    assert ("outbox_relay_failures_total", ()) in after


def test_liveness_answers_while_the_process_serves(service):
    response = requests.get(f"{service}/health/live", timeout=10)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readiness_says_whether_this_instance_can_store_registrations(service):
    response = requests.get(f"{service}/health/ready", timeout=10)

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "serving": "ok",
        "database": "ok",
    }


def test_health_details_the_broker_the_relay_and_the_backlog(operators, service):
    response = requests.get(f"{operators}/health", timeout=10)

    body = response.json()
    assert (response.status_code, body["status"]) == (200, "ok")
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "serving": "ok",
        "database": "ok",
        "broker": "ok",
        "relay": "ok",
        "outbox": "ok",
    }
    assert body["checks"]["relay"]["last_success_at"]


def test_an_old_backlog_is_reported_but_keeps_the_instance_in_rotation(
    operators, service, database_url
):
    """Every replica shares the backlog: failing readiness on it would take them all out."""
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO outbox (event_id, event_type, payload, created_at)"
                " VALUES (%s, 'RegisteredEntryEvent', '{}', now() - interval '1 hour')"
                " RETURNING seq",
                (str(uuid.uuid4()),),
            )
            [seq] = cursor.fetchone()
        connection.commit()
        # Held by this test, the old row stays pending: the relay skips locked rows.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM outbox WHERE seq = %s FOR UPDATE", (seq,))
            ready = requests.get(f"{service}/health/ready", timeout=10)
            health = requests.get(f"{operators}/health", timeout=10)
            metrics = samples(operators)
            cursor.execute("DELETE FROM outbox WHERE seq = %s", (seq,))
        connection.commit()
    finally:
        connection.close()

    assert (ready.status_code, health.status_code) == (200, 200)
    assert health.json()["checks"]["outbox"]["oldest_pending_age_seconds"] >= 3600
    assert metrics[("outbox_oldest_pending_age_seconds", ())] >= 3600
    assert metrics[("database_up", ())] == 1
    assert metrics[("broker_up", ())] == 1
