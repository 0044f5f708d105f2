"""The service's HTTP and RPC methods with nameko's `worker_factory`: the real application from
the composition root (SQLite, in-process events) behind them, no broker and no web server.

What is checked here is the adapter's translation: a use case's result or domain error becomes
the right answer for each entrypoint.
"""

import json

import pytest
from nameko.testing.services import worker_factory
from werkzeug.test import EnvironBuilder

from registration.adapters.sql.migrate import upgrade_to_head
from registration.application.errors import EntryNotFound
from registration.bootstrap import bootstrap
from registration.domain.errors import EmailAlreadyRegistered, InvalidEmail
from registration.domain.events import DomainEvent
from registration.entrypoints.service import RegistrationHttpService

pytestmark = pytest.mark.adapter

UNKNOWN_ID = "0b8e7a52-3c1d-4e6f-9a2b-7c5d1e3f4a6b"


def build_app(database_url: str):
    return bootstrap({"DATABASE_URL": database_url, "EVENT_PUBLISHER": "in_process"})


@pytest.fixture
def app(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'registration.db'}"
    upgrade_to_head(database_url)
    application = build_app(database_url)
    yield application
    application.close()


@pytest.fixture
def published(app) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    app.bus.subscribe("RegisteredEntryEvent", events.append)
    return events


@pytest.fixture
def service(app):
    return worker_factory(RegistrationHttpService, app=app)


def post_json(body) -> object:
    return EnvironBuilder(method="POST", path="/register", json=body).get_request()


def problem_of(response) -> dict:
    assert response.mimetype == "application/problem+json"
    return json.loads(response.get_data(as_text=True))


# --- RPC --------------------------------------------------------------------------------------


def test_the_rpc_method_returns_the_registered_entry(service):
    entry = service.register_entry(" Ada@Example.COM ")

    assert entry["email"] == "Ada@example.com"
    assert service.get_entry(entry["id"]) == entry


def test_the_rpc_method_publishes_one_event_per_registration(service, published):
    entry = service.register_entry("ada@example.com")

    assert [str(event.entry_id) for event in published] == [entry["id"]]


def test_the_rpc_method_raises_email_already_registered_for_a_duplicate(service, published):
    service.register_entry("ada@example.com")

    with pytest.raises(EmailAlreadyRegistered):
        service.register_entry("ADA@example.com")
    assert len(published) == 1


def test_the_rpc_method_raises_invalid_email(service, published):
    with pytest.raises(InvalidEmail):
        service.register_entry("not an address")
    assert published == []


@pytest.mark.parametrize("entry_id", [UNKNOWN_ID, "not-a-uuid"])
def test_the_rpc_read_raises_entry_not_found(service, entry_id):
    with pytest.raises(EntryNotFound):
        service.get_entry(entry_id)


@pytest.mark.parametrize("method", ["register_entry", "get_entry"])
def test_domain_errors_are_expected_by_the_rpc_methods_not_logged_as_crashes(method):
    (entrypoint,) = getattr(RegistrationHttpService, method).nameko_entrypoints

    expected = entrypoint.expected_exceptions
    assert all(
        issubclass(e, expected) for e in (InvalidEmail, EmailAlreadyRegistered, EntryNotFound)
    )


# --- HTTP -------------------------------------------------------------------------------------


def test_the_http_method_answers_201_with_the_entry_and_its_location(service):
    response = service.register(post_json({"email": "ada@example.com"}))

    assert response.status_code == 201
    entry = json.loads(response.get_data(as_text=True))
    assert response.headers["Location"] == f"/entries/{entry['id']}"


def test_the_http_method_maps_a_duplicate_to_a_409_problem(service):
    service.register(post_json({"email": "ada@example.com"}))

    response = service.register(post_json({"email": "Ada@Example.com"}))

    assert response.status_code == 409
    assert problem_of(response)["type"] == "/problems/already-registered"


def test_the_http_method_maps_an_invalid_address_to_a_422_problem(service, published):
    response = service.register(post_json({"email": "not an address"}))

    assert response.status_code == 422
    assert problem_of(response)["type"] == "/problems/invalid-email"
    assert published == []


def test_the_http_method_maps_malformed_json_to_a_400_problem(service):
    request = EnvironBuilder(
        method="POST", path="/register", data=b"{", content_type="application/json"
    ).get_request()

    response = service.register(request)

    assert response.status_code == 400
    assert problem_of(response)["type"] == "/problems/malformed-json"


def test_the_http_method_maps_an_unknown_entry_to_a_404_problem(service):
    request = EnvironBuilder(method="GET", path=f"/entries/{UNKNOWN_ID}").get_request()

    response = service.entry(request, UNKNOWN_ID)

    assert response.status_code == 404
    assert problem_of(response)["type"] == "/problems/entry-not-found"


def test_the_http_method_maps_an_unreachable_database_to_a_503_problem(tmp_path):
    unreachable = build_app(f"sqlite:///{tmp_path / 'no-such-directory' / 'registration.db'}")
    service = worker_factory(RegistrationHttpService, app=unreachable)

    response = service.register(post_json({"email": "ada@example.com"}))

    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert problem_of(response)["type"] == "/problems/service-unavailable"
