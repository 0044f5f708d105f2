"""The HTTP contract of the registration service, against a real container, PostgreSQL and
RabbitMQ.

One container serves the whole module (starting and stopping one costs about a second); tests
that need a differently configured service start their own with `container_factory`. Every test
uses addresses of its own, so the order of tests does not matter.
"""

import json
import socket
import subprocess
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import eventlet
import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from nameko.testing.services import replace_dependencies

from registration import contracts
from registration.entrypoints.http.limits import MAX_BODY_BYTES
from registration.entrypoints.http.server.web_server import system_backlog
from tests.support.auth import operator_headers
from tests.support.databases import fresh_postgres_database
from tests.support.ports import free_port
from tests.support.raw_http import LAST_CHUNK, chunked, exchange
from tests.support.registration.event_recorder import EventRecorder, RecordedEvent
from tests.support.registration.service_container import (
    base_url,
    delete_rpc_queue,
    isolated_service_class,
    management_url,
    running_container,
    service_config,
)
from tests.support.registration.sign_up import confirmation_request, sign_up
from tests.support.web import WebSession

pytestmark = pytest.mark.integration

PROBLEM_JSON = "application/problem+json"
REQUEST_ID = "X-Request-ID"
# What must never reach a client: Python's traceback header, source files, this checkout.
INTERNALS = ("Traceback", 'File "', ".py", "/work/", "site-packages")


@pytest.fixture(scope="module")
def database_url():
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def config(amqp_uri, database_url):
    service_cls = isolated_service_class()
    try:
        config = service_config(amqp_uri, database_url)
        with running_container(service_cls, config):
            yield config
    finally:
        delete_rpc_queue(amqp_uri, service_cls.name)


@pytest.fixture(scope="module")
def service(config):
    return base_url(config)


@pytest.fixture
def operators_session(config):
    """On the operators' listener: health detail and metrics."""
    with WebSession(management_url(config)) as session:
        yield session


@pytest.fixture
def web_session(service):
    with WebSession(service) as session:
        # for the operator operations; the others ignore it
        session.headers.update(operator_headers())
        yield session


def new_address(local: str = "user", domain: str = "example.com") -> str:
    return f"{local}-{uuid.uuid4().hex[:12]}@{domain}"


def register(web_session, email, **kwargs) -> requests.Response:
    return web_session.post("/register", json={"email": email}, **kwargs)


def assert_problem(response: requests.Response, status: int) -> dict:
    """An RFC 9457 problem document with this status and nothing internal in it."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == status
    assert isinstance(problem["type"], str) and problem["type"]
    assert isinstance(problem["title"], str) and problem["title"]
    assert isinstance(problem["detail"], str) and problem["detail"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for internal in INTERNALS:
        assert internal not in response.text
    return problem


# --- accepted registrations -----------------------------------------------------------------


def test_registering_answers_202_with_the_neutral_body(web_session):
    response = register(web_session, new_address())

    assert response.status_code == 202
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    assert response.json()["status"] == "accepted"
    assert "Location" not in response.headers


def answer_of(response: requests.Response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in (REQUEST_ID, "Date")}
    return response.status_code, tuple(sorted(headers.items())), response.content


def test_a_new_a_pending_and_a_confirmed_address_get_the_same_answer(web_session, database_url):
    new, known = new_address(), new_address()
    sign_up(web_session, database_url, known)

    answers = [
        register(web_session, new),
        register(web_session, f"  {new.upper()} "),  # pending now
        register(web_session, known),
        register(web_session, f" {known.capitalize()}"),
    ]

    assert len({answer_of(response) for response in answers}) == 1
    assert answers[0].status_code == 202


def test_a_confirmed_entry_reads_back_confirmed_with_its_normalized_address(
    web_session, database_url
):
    local = f"Foo-{uuid.uuid4().hex[:8]}"

    entry = sign_up(web_session, database_url, f" {local}@Example.COM ")

    assert set(entry) == {"id", "email", "status", "registered_at", "confirmed_at"}
    assert str(uuid.UUID(entry["id"])) == entry["id"]
    assert entry["email"] == f"{local}@example.com"
    assert entry["status"] == "confirmed"
    assert datetime.fromisoformat(entry["confirmed_at"]) >= datetime.fromisoformat(
        entry["registered_at"]
    )


def test_an_answer_holding_an_address_may_be_stored_by_no_cache(web_session, database_url):
    entry = sign_up(web_session, database_url, new_address())

    response = web_session.get(f"/entries/{entry['id']}")

    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/register"),
        ("GET", "/health/ready"),
        ("GET", "/health/live"),
        ("GET", "/openapi.json"),
        ("GET", "/no/such/path"),
    ],
)
def test_no_answer_lets_a_browser_guess_its_type(web_session, method, path):
    response = web_session.request(method, path, json={"email": new_address()})

    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_pending_entry_reads_back_pending(web_session, database_url):
    email = new_address()
    register(web_session, email)
    request = confirmation_request(database_url, email)

    entry = web_session.get(f"/entries/{request['entry_id']}").json()

    assert (entry["status"], entry["confirmed_at"]) == ("pending", None)


def test_a_utf8_charset_parameter_is_accepted(web_session):
    body = json.dumps({"email": new_address()}).encode("utf-8")

    response = web_session.post(
        "/register", data=body, headers={"Content-Type": "application/json; charset=UTF-8"}
    )

    assert response.status_code == 202


@pytest.mark.parametrize("local, domain", [("用户", "例子.广告"), ("Zoë", "example.com")])
def test_internationalized_addresses_are_accepted(web_session, database_url, local, domain):
    email = f"{local}{uuid.uuid4().hex[:6]}@{domain}"

    response = register(web_session, email)

    assert response.status_code == 202
    assert confirmation_request(database_url, email)["email"] == email


def test_properties_other_than_email_are_ignored(web_session):
    email = new_address()

    response = web_session.post("/register", json={"email": email, "name": "Ada", "admin": True})

    assert response.status_code == 202
    assert set(response.json()) == {"status", "detail"}


def test_a_body_of_exactly_64_kib_is_accepted(web_session):
    email = new_address()
    envelope = json.dumps({"email": email, "padding": ""}).encode("utf-8")
    body = envelope[:-2] + b"x" * (MAX_BODY_BYTES - len(envelope)) + envelope[-2:]
    assert len(body) == MAX_BODY_BYTES

    response = web_session.post(
        "/register", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 202


# --- 400: the body cannot be read as JSON ---------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"email": }',
        b"not json",
        b"",
        b'{"email": "ada@example.com", "score": NaN}',
        b'{"email": "ada@example.com", "score": Infinity}',
        b'{"email": "ada@example.com", "score": -Infinity}',
        # a number no JSON peer could send back: Python would read it as infinity
        b'{"email": "ada@example.com", "score": 1e999999}',
        b'{"email": "ada@example.com", "score": -1e999999}',
        # one body, two meanings: a reader keeping the first key sees another address
        b'{"email": "ada@example.com", "email": "eve@example.com"}',
        b'{"email": "ada@example.com", "extra": {"a": 1, "a": 2}}',
    ],
)
def test_malformed_json_is_a_400_problem(web_session, body):
    response = web_session.post(
        "/register", data=body, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 400)


def test_invalid_utf8_is_a_400_problem(web_session):
    body = b'{"email": "\xff\xfeada@example.com"}'

    response = web_session.post(
        "/register", data=body, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 400)


def test_a_deeply_nested_json_document_is_a_400_problem_not_a_crash(web_session):
    bomb = b"[" * 60_000  # under the size limit, far over the parser's recursion limit

    response = web_session.post(
        "/register", data=bomb, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 400)


# --- 422: JSON, but not a registration ------------------------------------------------------


@pytest.mark.parametrize("body", ["null", "[]", '"x"', "5", "true"])
def test_a_body_that_is_not_a_json_object_is_a_422_problem(web_session, body):
    response = web_session.post(
        "/register", data=body, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 422)


@pytest.mark.parametrize("document", [{}, {"email": None}, {"mail": "ada@example.com"}])
def test_a_missing_email_is_a_422_problem(web_session, document):
    response = web_session.post("/register", json=document)

    assert_problem(response, 422)


@pytest.mark.parametrize("email", [5, 1.5, True, [], ["ada@example.com"], {"address": "a@b.c"}])
def test_an_email_that_is_not_a_string_is_a_422_problem(web_session, email):
    response = web_session.post("/register", json={"email": email})

    assert_problem(response, 422)


@pytest.mark.parametrize(
    "email",
    ["", "   ", "no-at-sign", "ada@", "@example.com", "ada@@example.com", "a b@example.com"],
)
def test_an_invalid_email_is_a_422_problem(web_session, email):
    response = register(web_session, email)

    assert_problem(response, 422)


@pytest.mark.parametrize(
    "email",
    ["ada\x00@example.com", "ada\n@example.com", "ada@exam\tple.com", "ada\u200b@example.com"],
    ids=["nul", "newline", "tab", "zero-width-space"],
)
def test_an_address_with_control_characters_is_rejected(web_session, email):
    response = register(web_session, email)

    assert_problem(response, 422)


@pytest.mark.parametrize(
    "email",
    ["a" * 65 + "@example.com", "ada@" + ".".join(["a" * 60] * 5) + ".com", "a" * 10_000],
    ids=["long-local-part", "long-domain", "ten-thousand-characters"],
)
def test_an_over_long_address_is_rejected(web_session, email):
    response = register(web_session, email)

    assert_problem(response, 422)


# --- 415: not JSON at all -------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_of_another_media_type_is_a_415_problem(web_session, content_type):
    body = json.dumps({"email": new_address()})

    response = web_session.post("/register", data=body, headers={"Content-Type": content_type})

    assert_problem(response, 415)


def test_a_body_without_content_type_is_a_415_problem(web_session):
    request = requests.Request("POST", f"{web_session.base_url}/register", data=b"{}").prepare()
    assert "Content-Type" not in request.headers

    response = web_session.send(request)

    assert_problem(response, 415)


@pytest.mark.parametrize("charset", ["latin-1", "utf-16"])
def test_a_charset_other_than_utf8_is_a_415_problem(web_session, charset):
    body = json.dumps({"email": new_address()}).encode(charset)

    response = web_session.post(
        "/register", data=body, headers={"Content-Type": f"application/json; charset={charset}"}
    )

    assert_problem(response, 415)


# --- 413: too large, and never read whole ---------------------------------------------------


def test_a_body_over_64_kib_is_a_413_problem(web_session):
    body = json.dumps({"email": new_address(), "padding": "x" * MAX_BODY_BYTES})

    response = web_session.post(
        "/register", data=body, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 413)


def test_a_huge_declared_body_is_refused_before_it_is_sent(service):
    head = (
        "POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Content-Length: 10000000000"
    )

    # Only the headers go out: a server that waited for the body would never answer.
    response = exchange(service, head)

    assert response.status == 413
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM_JSON
    assert json.loads(response.body)["status"] == 413


def test_after_refusing_a_declared_body_the_server_hangs_up_instead_of_reading_it(service):
    head = (
        "POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Content-Length: 10000000000"
    )

    response = exchange(service, head, [b'{"email": "' + b"x" * 1000], watch_hang_up=True)

    assert response.headers["Connection"] == "close"
    assert response.hung_up


def test_a_chunked_body_over_64_kib_is_refused_without_reading_it_whole(service):
    head = (
        "POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked"
    )
    # One byte over the limit and no final chunk: the body never ends, yet an answer comes.
    body = chunked(b'{"email": "' + b"x" * MAX_BODY_BYTES)

    response = exchange(service, head, body)

    assert response.status == 413
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM_JSON
    assert json.loads(response.body)["status"] == 413


def test_after_refusing_a_chunked_body_the_server_hangs_up_instead_of_reading_it(service):
    head = (
        "POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked"
    )

    body = chunked(b'{"email": "' + b"x" * 2 * MAX_BODY_BYTES)

    response = exchange(service, head, body, watch_hang_up=True)

    assert response.headers["Connection"] == "close"
    assert response.hung_up


def test_a_broken_chunked_body_is_a_400_problem(service):
    head = (
        "POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked"
    )

    response = exchange(service, head, [b"zz\r\n{}\r\n", LAST_CHUNK])

    assert response.status == 400
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM_JSON


def test_a_chunked_body_is_read(service):
    head = (
        "POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked"
    )
    body = json.dumps({"email": new_address()}).encode("utf-8")

    response = exchange(service, head, [*chunked(body, chunk_size=7), LAST_CHUNK])

    assert response.status == 202


# --- 404 ----------------------------------------------------------------------------


def test_an_unknown_entry_is_a_404_problem(web_session):
    response = web_session.get(f"/entries/{uuid.uuid4()}")

    assert_problem(response, 404)


@pytest.mark.parametrize("entry_id", ["not-a-uuid", "123", "%00", "%C3%BF", "x" * 1000])
def test_a_malformed_entry_id_is_a_404_problem(web_session, entry_id):
    response = web_session.get(f"/entries/{entry_id}")

    assert_problem(response, 404)


@pytest.mark.parametrize("path", ["/", "/nope", "/entries", "/register/extra", "/entries/a/b"])
def test_an_unknown_route_is_a_404_problem(web_session, path):
    response = web_session.get(path)

    assert_problem(response, 404)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/register"),
        ("PUT", "/register"),
        ("PUT", f"/entries/{uuid.uuid4()}"),
        ("POST", "/health/ready"),
    ],
)
def test_a_wrong_method_is_a_405_problem(web_session, method, path):
    response = web_session.request(method, path)

    assert_problem(response, 405)


def test_a_405_names_the_allowed_methods(web_session):
    response = web_session.delete("/register")

    assert response.status_code == 405
    assert {method.strip() for method in response.headers["Allow"].split(",")} >= {"POST"}


# --- 500: no internals ----------------------------------------------------------------------


def test_an_unexpected_error_is_a_500_problem_without_internals(container_factory, amqp_uri):
    service_cls = isolated_service_class()
    config = {
        "AMQP_URI": amqp_uri,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "MANAGEMENT_ADDRESS": f"127.0.0.1:{free_port()}",
    }
    container = container_factory(service_cls, config)
    app = replace_dependencies(container, "app")
    app.use_case.return_value.side_effect = RuntimeError(
        'Traceback: File "/work/main/src/registration/secret.py", password=hunter2'
    )
    container.start()
    try:
        with WebSession(base_url(config)) as session:
            response = register(session, new_address())
    finally:
        container.kill()
        delete_rpc_queue(amqp_uri, service_cls.name)

    problem = assert_problem(response, 500)
    assert "hunter2" not in response.text
    assert problem["type"] == "/problems/internal-error"


# --- health ---------------------------------------------------------------------------------


def test_health_answers_200_json_when_database_and_broker_are_reachable(operators_session):
    response = operators_session.get("/health")

    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    assert response.json()["status"] == "ok"


def test_health_answers_503_json_when_the_database_is_unreachable(container_factory, amqp_uri):
    service_cls = isolated_service_class()
    # Nothing listens on a port just found free: the database is down from the start.
    config = {
        "AMQP_URI": amqp_uri,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "MANAGEMENT_ADDRESS": f"127.0.0.1:{free_port()}",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere",
        "DATABASE_TIMEOUT_SECONDS": 1,
    }
    container = container_factory(service_cls, config)
    container.start()
    try:
        with WebSession(management_url(config)) as session:
            response = session.get("/health")
    finally:
        container.kill()
        delete_rpc_queue(amqp_uri, service_cls.name)

    assert response.status_code == 503
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    assert response.json()["checks"]["database"]["status"] == "failing"


@pytest.mark.parametrize("path", ["/metrics", "/health"])
def test_the_operators_surface_is_not_on_the_public_port(web_session, operators_session, path):
    public = web_session.get(path)

    assert public.status_code == 404 and public.json()["type"] == "/problems/not-found"
    assert operators_session.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/register", "/openapi.json", f"/entries/{uuid.uuid4()}"])
def test_the_operators_listener_serves_nothing_of_the_public_api(operators_session, path):
    assert operators_session.get(path, headers=operator_headers()).status_code == 404


# --- X-Request-ID ---------------------------------------------------------------------------


def is_a_request_id(value: str) -> bool:
    return 1 <= len(value) <= 128 and value.isascii() and value.isprintable()


def test_a_clients_request_id_is_not_echoed_the_service_answers_its_own(web_session):
    client_request_id = f"client-{uuid.uuid4()}"

    response = register(web_session, new_address(), headers={REQUEST_ID: client_request_id})

    assert response.headers[REQUEST_ID] != client_request_id
    assert is_a_request_id(response.headers[REQUEST_ID])


def test_a_request_id_is_generated_when_none_is_sent(web_session):
    first = web_session.get("/health/live")
    second = web_session.get("/health/live")

    assert first.headers[REQUEST_ID] != second.headers[REQUEST_ID]
    for response in (first, second):
        assert is_a_request_id(response.headers[REQUEST_ID])


@pytest.mark.parametrize(
    "client_request_id",
    ["", "has space", "x" * 129, "tab\there", "~!" * 64, 'x]_INFO_fake_"},{"level":"ERROR"'],
    ids=["empty", "space", "129", "tab", "128", "forged"],
)
def test_whatever_the_client_sends_the_request_id_is_the_services(web_session, client_request_id):
    response = web_session.get("/health/live", headers={REQUEST_ID: client_request_id})

    answered = response.headers[REQUEST_ID]
    assert answered != client_request_id
    assert is_a_request_id(answered)


def test_a_client_repeating_its_request_id_gets_a_new_one_each_time(web_session):
    answered = {
        web_session.get("/health/live", headers={REQUEST_ID: "same-again"}).headers[REQUEST_ID]
        for _ in range(3)
    }

    assert len(answered) == 3
    assert "same-again" not in answered


def test_the_event_of_a_request_carries_the_services_request_id_not_the_clients(
    service, amqp_uri, web_session
):
    client_request_id = f"client-{uuid.uuid4()}"
    address = new_address()
    recorder = EventRecorder(amqp_uri, routing_key="#")  # whichever event a registration causes
    try:
        response = register(web_session, address, headers={REQUEST_ID: client_request_id})
        received = recorder.wait_until(lambda got: any(address in e.text for e in got))
        recorder.linger(0.5)
    finally:
        recorder.close()

    ours = [event for event in received if address in event.text]
    assert ours and {event.request_id for event in ours} == {response.headers[REQUEST_ID]}
    assert [e for e in received if client_request_id in (e.request_id, *e.headers.values())] == []


@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("POST", "/register", {"json": {"email": "x@example.com"}}),
        ("POST", "/register", {"json": {"email": "invalid"}}),
        ("POST", "/register", {"data": "x", "headers": {"Content-Type": "text/plain"}}),
        ("POST", "/register", {"data": "{", "headers": {"Content-Type": "application/json"}}),
        ("GET", f"/entries/{uuid.uuid4()}", {}),
        ("GET", "/no-such-route", {}),
        ("DELETE", "/register", {}),
        ("GET", "/health/ready", {}),
        ("GET", "/openapi.json", {}),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_every_response_carries_the_services_request_id(web_session, method, path, kwargs):
    client_request_id = f"echo-{uuid.uuid4().hex}"
    headers = {**kwargs.pop("headers", {}), REQUEST_ID: client_request_id}

    response = web_session.request(method, path, headers=headers, **kwargs)

    assert response.headers[REQUEST_ID] != client_request_id
    assert is_a_request_id(response.headers[REQUEST_ID])


def test_a_refused_oversized_body_carries_the_services_request_id(service):
    head = (
        "POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "X-Request-ID: big-one\r\nContent-Length: 10000000000"
    )

    response = exchange(service, head)

    assert response.headers[REQUEST_ID] != "big-one"
    assert is_a_request_id(response.headers[REQUEST_ID])


# --- no 5xx for any client input ------------------------------------------------------------


@pytest.mark.parametrize(
    "head, body",
    [
        ("Content-Length: abc", b"{}"),
        ("Content-Length: -5", b"{}"),
        ("Transfer-Encoding: chunked", b"zz\r\n{}\r\n0\r\n\r\n"),
        ("Transfer-Encoding: chunked\r\nContent-Length: 2", b"2\r\n{}\r\n0\r\n\r\n"),
        ("Content-Length: 2\r\nContent-Length: 3", b"{} "),
    ],
    ids=[
        "length-not-a-number",
        "negative-length",
        "bad-chunk-size",
        "chunked-and-length",
        "two-lengths",
    ],
)
def test_broken_framing_never_gets_a_server_error(service, head, body):
    response = exchange(
        service,
        f"POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{head}",
        [body],
    )

    assert response.status < 500


# --- RFC 9112's musts, slow and bursty clients -----------------------------------------------


REGISTER_HEAD = "POST /register HTTP/1.1\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize(
    "head, body, status",
    [
        ("Host: test\r\nTransfer-Encoding: gzip", b"{}", 400),
        ("Host: test\r\nTransfer-Encoding: \r\nContent-Length: 2", b"{}", 400),
        ("Host: test\r\nTransfer-Encoding: gzip, chunked", b"2\r\n{}\r\n0\r\n\r\n", 501),
        ("Content-Length: 2", b"{}", 400),
        ("Host: test\r\nHost: other\r\nContent-Length: 2", b"{}", 400),
    ],
    ids=["te-not-chunked", "empty-te-and-length", "gzip-then-chunked", "no-host", "two-hosts"],
)
def test_a_head_breaking_rfc_9112_is_refused_and_the_connection_closed(service, head, body, status):
    response = exchange(service, REGISTER_HEAD + head, [body], watch_hang_up=True)

    assert response.status == status
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert json.loads(response.body)["status"] == status
    assert response.hung_up


def test_a_path_with_an_empty_segment_is_not_the_register_route(service):
    email = new_address()
    body = json.dumps({"email": email}).encode()

    response = exchange(
        service,
        f"POST //register HTTP/1.1\r\nHost: test\r\nContent-Length: {len(body)}"
        "\r\nContent-Type: application/json",
        [body],
    )

    assert response.status == 404
    with WebSession(service) as session:  # nothing was registered
        assert register(session, email).status_code == 202


def test_a_path_with_empty_segments_is_a_404_never_a_redirect_echoing_the_host(service):
    response = exchange(service, "GET //entries//x HTTP/1.1\r\nHost: evil.example")

    assert response.status == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert b"evil.example" not in response.body


def test_the_listener_takes_the_backlog_the_system_allows(service):
    port = urlsplit(service).port

    listening = subprocess.run(
        ["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.split()

    assert int(listening[2]) == system_backlog() > 50  # Send-Q of a listener: its backlog


def test_a_client_trickling_its_head_is_cut_with_a_408(container_factory, amqp_uri):
    service_cls = isolated_service_class()
    config = {
        "AMQP_URI": amqp_uri,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "MANAGEMENT_ADDRESS": f"127.0.0.1:{free_port()}",
        "HTTP_HEAD_TIMEOUT_SECONDS": 0.5,
    }
    container = container_factory(service_cls, config)
    replace_dependencies(container, "app")
    container.start()
    try:
        address = (urlsplit(base_url(config)).hostname, urlsplit(base_url(config)).port)
        with socket.create_connection(address, timeout=5) as sock:
            for byte in b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n":
                try:
                    sock.sendall(bytes([byte]))
                except (BrokenPipeError, ConnectionResetError):
                    break
                eventlet.sleep(0.1)
            status_line = sock.makefile("rb").readline()
    finally:
        container.kill()
        delete_rpc_queue(amqp_uri, service_cls.name)

    assert status_line.split()[1] == b"408"


# --- events: one confirmation request per new address, one registration per confirmation -------


@dataclass(frozen=True)
class EventScenario:
    tag: str  # the X-Request-IDs its client sends are f"{tag}-{name}"; none may reach an event
    domain: str  # the mail domain of all its addresses
    accepted: dict[str, requests.Response]  # by the address's name: new addresses
    again: requests.Response  # a pending address given again at once
    rejected: list[requests.Response]
    events: list[RecordedEvent]  # every ConfirmationRequested of the scenario's requests
    registered: list[RecordedEvent]  # every RegisteredEntryEvent of its confirmations


@pytest.fixture(scope="module")
def event_scenario(service, amqp_uri, database_url):
    """Accepted and rejected registrations with event queues bound before the first of them,
    then the confirmation of one address.

    Events are picked out by the request ids the service answered and by the scenario's own mail
    domain: other runs on the shared broker publish to the same exchange.
    """
    tag = uuid.uuid4().hex[:12]
    domain = f"events-{tag}.example.com"
    requested = EventRecorder(amqp_uri, routing_key="ConfirmationRequested")
    registered = EventRecorder(amqp_uri)
    try:
        with WebSession(service) as session:

            def tagged(name: str) -> dict[str, dict[str, str]]:
                return {"headers": {REQUEST_ID: f"{tag}-{name}"}}

            accepted = {
                "ada": register(session, f" Ada@{domain.upper()} ", **tagged("ada")),
                "bob": register(session, f"bob@{domain}", **tagged("bob")),
                # no X-Request-ID: the service makes its own either way
                "carol": register(session, f"carol@{domain}"),
            }
            again = register(session, f"ADA@{domain}", **tagged("again"))
            rejected = [
                register(session, f"da ve@{domain}"),
                register(session, f"erin\x00@{domain}"),
                session.post(
                    "/register",
                    data=f'{{"email": "frank@{domain}"}}',
                    headers={"Content-Type": "text/plain"},
                ),
                session.post(
                    "/register",
                    data=f'{{"email": "grace@{domain}"',
                    headers={"Content-Type": "application/json"},
                ),
                session.post("/register", json={"mail": f"heidi@{domain}"}),
                session.post(
                    "/register", json={"email": f"ivan@{domain}", "pad": "x" * MAX_BODY_BYTES}
                ),
            ]

            def ours(event: RecordedEvent) -> bool:
                return event.body["email"].endswith(f"@{domain}")

            requested.wait_until(lambda received: len([e for e in received if ours(e)]) >= 3)
            ada = confirmation_request(database_url, f"ada@{domain}")
            assert session.post(
                urlsplit(ada["confirm_url"]).path, data={"List-Unsubscribe": "One-Click"}
            ).ok
            registered.wait_until(lambda received: any(ours(e) for e in received))
        requested.linger(2.0)  # whatever else was coming has had time to arrive
        yield EventScenario(
            tag,
            domain,
            accepted,
            again,
            rejected,
            [e for e in requested.received if ours(e)],
            [e for e in registered.received if ours(e)],
        )
    finally:
        requested.close()
        registered.close()


def test_the_event_scenario_was_answered_as_expected(event_scenario):
    assert [r.status_code for r in event_scenario.accepted.values()] == [202, 202, 202]
    assert event_scenario.again.status_code == 202
    assert [r.status_code for r in event_scenario.rejected] == [422, 422, 415, 400, 422, 413]


def test_each_new_address_publishes_exactly_one_confirmation_request(event_scenario):
    per_request = Counter(event.request_id for event in event_scenario.events)

    assert per_request == Counter(r.headers[REQUEST_ID] for r in event_scenario.accepted.values())


def test_a_pending_address_given_again_at_once_and_a_rejected_one_publish_nothing(
    event_scenario,
):
    silent = {r.headers[REQUEST_ID] for r in [event_scenario.again, *event_scenario.rejected]}

    assert [e for e in event_scenario.events if e.request_id in silent] == []


def test_the_event_names_the_normalized_address(event_scenario):
    by_request = {event.request_id: event.body for event in event_scenario.events}
    ada = event_scenario.accepted["ada"].headers[REQUEST_ID]

    # registered as f" Ada@{domain.upper()} "
    assert by_request[ada]["email"] == f"Ada@{event_scenario.domain}"


def test_no_event_carries_a_clients_request_id(event_scenario):
    carried = [event.request_id or "" for event in [*event_scenario.events]]

    assert carried and not [c for c in carried if c.startswith(f"{event_scenario.tag}-")]


def test_event_timestamps_are_iso_8601_with_an_offset(event_scenario):
    for event in [*event_scenario.events, *event_scenario.registered]:
        assert datetime.fromisoformat(event.body["timestamp"]).utcoffset() is not None


def test_events_match_the_published_event_schemas(event_scenario):
    for event in [*event_scenario.events, *event_scenario.registered]:
        validator = Draft202012Validator(
            contracts.event_schema(event.body["name"]), format_checker=FormatChecker()
        )
        assert list(validator.iter_errors(event.body)) == []


def test_only_the_confirmed_address_is_announced_as_registered(event_scenario):
    (registered,) = event_scenario.registered
    ada = next(e for e in event_scenario.events if e.body["email"].startswith("Ada@"))

    assert registered.body["name"] == "RegisteredEntryEvent"
    assert registered.body["entry_id"] == ada.body["entry_id"]
    assert registered.body["email"] == ada.body["email"]


def test_every_event_has_its_own_id(event_scenario):
    event_ids = [event.body["event_id"] for event in event_scenario.events]

    assert len(set(event_ids)) == len(event_ids) == len(event_scenario.accepted)
    for event in event_scenario.events:
        assert event.properties["message_id"] == event.body["event_id"]


def test_events_are_persistent_utf8_json_messages(event_scenario):
    for event in event_scenario.events:
        assert event.properties["delivery_mode"] == 2
        assert event.properties["content_type"] == "application/json"
        assert event.properties["content_encoding"] == "utf-8"
        assert event.properties["type"] == "ConfirmationRequested"


def test_the_message_timestamp_is_the_event_time_in_epoch_seconds(event_scenario):
    for event in event_scenario.events:
        occurred = datetime.fromisoformat(event.body["timestamp"]).timestamp()
        assert event.properties["timestamp"] == int(occurred)


def test_an_event_body_is_plain_json(event_scenario):
    for event in event_scenario.events:
        assert isinstance(json.loads(event.text), dict)
