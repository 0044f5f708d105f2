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
from tests.support.auth import operator_headers, shared_issuer

pytestmark = pytest.mark.adapter

UNKNOWN_ID = "0b8e7a52-3c1d-4e6f-9a2b-7c5d1e3f4a6b"


def build_app(database_url: str, **settings: str):
    return bootstrap(
        {
            "DATABASE_URL": database_url,
            "EVENT_PUBLISHER": "in_process",
            **shared_issuer().settings,
            **settings,
        }
    )


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
    for event_type in ("ConfirmationRequested", "RegisteredEntryEvent", "EntryErased"):
        app.bus.subscribe(event_type, events.append)
    return events


def of_type(events: list[DomainEvent], event_type: str) -> list:
    return [event for event in events if event.event_type == event_type]


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


def test_the_rpc_method_asks_the_owner_to_confirm_as_http_does(service, published):
    entry = service.register_entry("ada@example.com")

    assert entry["status"] == "pending"
    assert [str(event.entry_id) for event in of_type(published, "ConfirmationRequested")] == [
        entry["id"]
    ]
    assert of_type(published, "RegisteredEntryEvent") == []


def test_the_rpc_method_returns_a_pending_entry_given_again_without_a_second_mail(
    service, published
):
    first = service.register_entry("ada@example.com")

    assert service.register_entry("ADA@example.com") == first
    assert len(published) == 1


def test_the_rpc_method_raises_email_already_registered_for_a_confirmed_address(service, published):
    service.register_entry("ada@example.com")
    service.confirm(form_post(published[0].confirm_url), token_of(published[0].confirm_url))

    with pytest.raises(EmailAlreadyRegistered):
        service.register_entry("ADA@example.com")
    assert len(of_type(published, "ConfirmationRequested")) == 1


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


def answer(response) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, sorted(response.headers.items()), response.get_data()


def test_the_http_method_answers_202_alike_for_a_new_a_pending_and_a_confirmed_address(
    service, published
):
    new = answer(service.register(post_json({"email": "ada@example.com"})))
    pending = answer(service.register(post_json({"email": " Ada@Example.com"})))
    service.confirm(form_post(published[0].confirm_url), token_of(published[0].confirm_url))
    confirmed = answer(service.register(post_json({"email": "ADA@example.com"})))

    assert new == pending == confirmed
    status, headers, body = new
    assert status == 202
    assert "Location" not in dict(headers)
    assert b"ada" not in body.lower() and str(published[0].entry_id).encode() not in body


# --- the pages behind the mailed links --------------------------------------------------------


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def form_post(url: str, data: dict[str, str] | None = None):
    path = "/" + url.split("/", 3)[3]
    fields = {"List-Unsubscribe": "One-Click"} if data is None else data
    return EnvironBuilder(method="POST", path=path, data=fields).get_request()


def get(url: str):
    return EnvironBuilder(method="GET", path="/" + url.split("/", 3)[3]).get_request()


def test_a_get_of_the_confirmation_link_shows_a_button_and_changes_nothing(service, published):
    service.register(post_json({"email": "ada@example.com"}))
    link = published[0].confirm_url

    response = service.confirmation_page(get(link), token_of(link))

    assert response.status_code == 200 and response.mimetype == "text/html"
    assert b'<form method="post">' in response.get_data()
    assert service.get_entry(str(published[0].entry_id))["status"] == "pending"
    assert of_type(published, "RegisteredEntryEvent") == []


def test_the_pages_send_no_referrer_forbid_framing_and_load_nothing_from_elsewhere(
    service, published
):
    service.register(post_json({"email": "ada@example.com"}))
    link = published[0].confirm_url

    headers = service.confirmation_page(get(link), token_of(link)).headers

    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_the_confirmation_form_confirms_and_announces_the_registration(service, published):
    service.register(post_json({"email": "ada@example.com"}))
    link = published[0].confirm_url

    response = service.confirm(form_post(link), token_of(link))
    again = service.confirm(form_post(link), token_of(link))

    assert (response.status_code, again.status_code) == (200, 200)
    (registered,) = of_type(published, "RegisteredEntryEvent")
    assert registered.entry_id == published[0].entry_id
    assert service.get_entry(str(registered.entry_id))["status"] == "confirmed"


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, ""])
def test_a_bad_confirmation_token_gets_a_clear_page_and_changes_nothing(service, published, token):
    service.register(post_json({"email": "ada@example.com"}))

    response = service.confirm(form_post(f"http://x/confirm/{token}"), token)

    assert response.status_code == 400 and response.mimetype == "text/html"
    assert b"does not work" in response.get_data()
    assert of_type(published, "RegisteredEntryEvent") == []


def test_the_one_click_erasure_erases_the_entry_and_announces_it(service, published):
    service.register(post_json({"email": "ada@example.com"}))
    link = published[0].erase_url

    response = service.erase_own(form_post(link), token_of(link))

    assert response.status_code == 200
    assert [e.entry_id for e in of_type(published, "EntryErased")] == [published[0].entry_id]
    with pytest.raises(EntryNotFound):
        service.get_entry(str(published[0].entry_id))


def test_an_erasure_post_without_the_one_click_field_erases_nothing(service, published):
    service.register(post_json({"email": "ada@example.com"}))
    link = published[0].erase_url

    response = service.erase_own(form_post(link, {"other": "field"}), token_of(link))

    assert response.status_code == 422
    assert of_type(published, "EntryErased") == []


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
    request = EnvironBuilder(
        method="GET", path=f"/entries/{UNKNOWN_ID}", headers=operator_headers()
    ).get_request()

    response = service.entry(request, UNKNOWN_ID)

    assert response.status_code == 404
    assert problem_of(response)["type"] == "/problems/entry-not-found"


@pytest.mark.parametrize(
    ("headers", "status", "challenge"),
    [
        ({}, 401, 'Bearer realm="registration"'),
        ({"Authorization": "Basic b3A6b3A="}, 401, 'Bearer realm="registration"'),
        (
            {"Authorization": "Bearer x.y.z"},
            401,
            'Bearer realm="registration", error="invalid_token"',
        ),
        (
            operator_headers("entries:read"),
            403,
            'Bearer realm="registration", error="insufficient_scope", scope="entries:erase"',
        ),
    ],
)
def test_an_erasure_without_a_good_token_and_its_scope_is_refused_and_erases_nothing(
    service, app, headers, status, challenge
):
    entry = service.register_entry("ada@example.com")
    request = EnvironBuilder(
        method="DELETE", path=f"/entries/{entry['id']}", headers=headers
    ).get_request()

    response = service.erase(request, entry["id"])

    assert response.status_code == status
    assert response.headers["WWW-Authenticate"] == challenge
    assert problem_of(response)["status"] == status
    assert service.get_entry(entry["id"]) == entry


def test_without_the_auth_settings_operator_operations_are_refused_with_a_503_naming_them(
    tmp_path,
):
    database_url = f"sqlite:///{tmp_path / 'registration.db'}"
    upgrade_to_head(database_url)
    unconfigured = build_app(database_url, AUTH_JWKS_URL="")
    service = worker_factory(RegistrationHttpService, app=unconfigured)
    request = EnvironBuilder(
        method="GET", path=f"/entries/{UNKNOWN_ID}", headers=operator_headers()
    ).get_request()

    response = service.entry(request, UNKNOWN_ID)
    unconfigured.close()

    assert response.status_code == 503
    assert problem_of(response)["type"] == "/problems/operator-access-unavailable"
    assert "AUTH_JWKS_URL" in problem_of(response)["detail"]


def test_the_http_method_maps_an_unreachable_database_to_a_503_problem(tmp_path):
    unreachable = build_app(f"sqlite:///{tmp_path / 'no-such-directory' / 'registration.db'}")
    service = worker_factory(RegistrationHttpService, app=unreachable)

    response = service.register(post_json({"email": "ada@example.com"}))

    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert problem_of(response)["type"] == "/problems/service-unavailable"


def test_a_get_of_a_bad_link_says_so_without_a_button(service):
    response = service.erasure_page(get("http://x/erase/nonsense"), "nonsense")

    assert response.status_code == 400
    assert b"<form" not in response.get_data()
