"""Right to erasure against a real container, PostgreSQL and RabbitMQ: what a client sees, what
the broker carries, and what a dump of the database holds afterwards."""

import uuid

import psycopg2
import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker

from registration import contracts
from tests.support.auth import operator_headers
from tests.support.databases import fresh_postgres_database
from tests.support.registration.event_recorder import EventRecorder
from tests.support.registration.service_container import (
    base_url,
    isolated_service,
    management_url,
)
from tests.support.registration.sign_up import confirmation_request, sign_up
from tests.support.web import WebSession

pytestmark = pytest.mark.integration

PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module")
def stack(amqp_uri):
    """(base URL, database URL, operators' URL) of one running service."""
    with (
        fresh_postgres_database() as database_url,
        isolated_service(amqp_uri, database_url) as config,
    ):
        yield base_url(config), database_url, management_url(config)


@pytest.fixture
def web_session(stack):
    with WebSession(stack[0]) as session:
        session.headers.update(operator_headers())  # the erasures are an operator's
        session.database_url = stack[1]  # where sign_up reads the mailed link
        yield session


def new_address() -> str:
    return f"erase-{uuid.uuid4().hex[:12]}@example.com"


def register(web_session, address: str) -> str:
    """A registration its owner confirmed: its entry id."""
    return sign_up(web_session, web_session.database_url, address)["id"]


def database_dump(database_url: str) -> str:
    """Every value of every table, as text."""
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
            tables = [name for (name,) in cursor.fetchall()]
            text = []
            for table in tables:
                cursor.execute(f'SELECT * FROM "{table}"')
                text.append(repr(cursor.fetchall()))
    finally:
        connection.close()
    return "\n".join(text)


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM_JSON
    assert response.json()["type"] == "/problems/entry-not-found"


def test_erasing_an_entry_answers_204_and_the_entry_is_gone(web_session):
    entry_id = register(web_session, new_address())

    response = web_session.delete(f"/entries/{entry_id}", headers={"X-Request-ID": "erase-204"})

    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Length" not in response.headers  # RFC 9110: none on a 204
    assert response.headers["X-Request-ID"] != "erase-204"  # the service's own id
    assert_not_found(web_session.get(f"/entries/{entry_id}"))


def test_a_repeated_erasure_is_404(web_session):
    entry_id = register(web_session, new_address())
    web_session.delete(f"/entries/{entry_id}")

    assert_not_found(web_session.delete(f"/entries/{entry_id}"))


@pytest.mark.parametrize("entry_id", [str(uuid.uuid4()), "not-a-uuid", "a@example.com"])
def test_erasing_an_unknown_or_malformed_id_is_404(web_session, entry_id):
    assert_not_found(web_session.delete(f"/entries/{entry_id}"))


def test_an_erased_address_registers_again_at_once(web_session):
    address = new_address()
    entry_id = register(web_session, address)
    web_session.delete(f"/entries/{entry_id}")

    response = web_session.post("/register", json={"email": address})

    assert response.status_code == 202
    assert confirmation_request(web_session.database_url, address)["entry_id"] != entry_id


def test_erasures_are_counted_by_outcome(web_session, stack):
    def counted(outcome: str) -> float:
        text = requests.get(f"{stack[2]}/metrics", timeout=10).text
        line = f'erasures_total{{outcome="{outcome}"}} '
        return next((float(x.split()[-1]) for x in text.splitlines() if x.startswith(line)), 0.0)

    erased, not_found = counted("erased"), counted("not_found")
    web_session.delete(f"/entries/{register(web_session, new_address())}")
    web_session.delete(f"/entries/{uuid.uuid4()}")

    assert (counted("erased"), counted("not_found")) == (erased + 1, not_found + 1)


def test_after_an_erasure_neither_the_broker_nor_the_database_hold_the_address(
    stack, amqp_uri, web_session
):
    """What an outside check does: register, erase, then read the broker and a dump."""
    _, database_url, _ = stack
    recorder = EventRecorder(amqp_uri, routing_key="#")
    try:
        address = new_address()
        entry_id = register(web_session, address)
        erased = web_session.delete(f"/entries/{entry_id}", headers={"X-Request-ID": "erase-dump"})

        def about_it(received):
            return [e for e in received if e.body.get("entry_id") == entry_id]

        recorder.wait_until(
            lambda received: any(e.body["name"] == "EntryErased" for e in about_it(received))
        )
        recorder.linger(1.0)
        events = about_it(recorder.received)
    finally:
        recorder.close()

    assert erased.status_code == 204
    [erasure] = [e for e in events if e.body["name"] == "EntryErased"]
    # the sign-up's events may have left before the erasure; each at most once, never after
    assert [e.body["name"] for e in events][-1] == "EntryErased"
    assert len(events) <= 3
    assert set(erasure.body) == {"event_id", "name", "entry_id", "timestamp"}
    assert address not in erasure.text
    Draft202012Validator(
        contracts.event_schema("EntryErased"), format_checker=FormatChecker()
    ).validate(erasure.body)
    assert erasure.properties["delivery_mode"] == 2
    assert erasure.properties["content_type"] == "application/json"
    assert erasure.properties["type"] == "EntryErased"
    assert erasure.properties["message_id"] == erasure.body["event_id"]
    assert erasure.request_id == erased.headers["X-Request-ID"] != "erase-dump"
    dump = database_dump(database_url)
    assert "erase-dump" not in dump  # a client's X-Request-ID is never stored
    assert address.split("@")[0] not in dump
    assert entry_id in dump  # the erasure's own outbox row: the id, and nothing more
