"""Each HTTP request's id is the service's own: answered, logged, stored with its events. A
client's `X-Request-ID` only appears beside it in the request's log lines, as `client_request_id`.

The web server's WSGI app runs in front of a fake endpoint that does what a worker does: it sets
up its request id in a context of its own (a worker runs in a greenlet of its own), logs a line
and stages an event in the outbox.
"""

import contextvars
import io
import json
import logging
import uuid
from types import SimpleNamespace

import pytest
from werkzeug.routing import Map, Rule
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from registration.adapters.outbox.publisher import OutboxEventPublisher
from registration.adapters.sql.changes import ChangeSet
from registration.adapters.sql.outbox_rows import OutboxMessage
from registration.domain.events import EntryErased
from registration.entrypoints.dependencies import RequestId
from registration.entrypoints.http.server.wsgi_app import ApiWsgiApp
from service_kit.logging import RedactEmailAddresses, RequestContextFilter, formatter
from service_kit.request_context import current_request_id, set_request_id

pytestmark = pytest.mark.unit

REQUEST_ID = "X-Request-ID"
# A client's X-Request-ID as one that tries to end the JSON record and start a second one.
FORGED = 'x]_INFO_fake_"},{"level":"ERROR"'


class WorkerEndpoint:
    """Stands for an `@api` route: what its worker logs and stages, per request."""

    def __init__(self) -> None:
        self.log = io.StringIO()
        handler = logging.StreamHandler(self.log)
        handler.setFormatter(formatter("json"))
        handler.addFilter(RequestContextFilter("registration"))
        handler.addFilter(RedactEmailAddresses())
        self.logger = logging.getLogger(f"test.{uuid.uuid4().hex}")
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(handler)
        self.outbox: list[OutboxMessage] = []

    def handle_request(self, request: Request) -> Response:
        contextvars.Context().run(self._work, request)  # a new greenlet starts with no context
        return Response("", status=202)

    def _work(self, request: Request) -> None:
        RequestId().worker_setup(SimpleNamespace(args=(request,), context_data={}, call_id="-"))
        self.logger.info("registered")
        changes = ChangeSet()
        OutboxEventPublisher(changes).publish([EntryErased(entry_id=uuid.uuid4())])
        self.outbox.extend(changes.outbox)

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.log.getvalue().splitlines()]


class FakeWebServer:
    draining = False

    def __init__(self, endpoint: WorkerEndpoint) -> None:
        self.endpoint = endpoint

    def make_url_map(self) -> Map:
        return Map([Rule("/register", methods=["POST"], endpoint=self.endpoint)])


@pytest.fixture(autouse=True)
def no_request_in_progress():
    set_request_id(None)
    yield
    set_request_id(None)


@pytest.fixture
def endpoint() -> WorkerEndpoint:
    return WorkerEndpoint()


@pytest.fixture
def client(endpoint) -> Client:
    return Client(ApiWsgiApp(FakeWebServer(endpoint)))


def test_the_service_answers_its_own_request_id_not_the_clients(client):
    response = client.post("/register", headers={REQUEST_ID: "client-123"})

    assert response.status_code == 202
    assert response.headers[REQUEST_ID] not in ("", "client-123")


def test_the_outbox_row_carries_the_services_request_id_and_never_the_clients(client, endpoint):
    response = client.post("/register", headers={REQUEST_ID: "client-123"})

    (row,) = endpoint.outbox
    assert row.request_id == response.headers[REQUEST_ID]
    assert "client-123" not in repr(row)


def test_the_request_logs_carry_the_client_request_id_beside_the_services_own(client, endpoint):
    response = client.post("/register", headers={REQUEST_ID: "client-123"})

    (record,) = endpoint.records()
    assert record["request_id"] == response.headers[REQUEST_ID]
    assert record["client_request_id"] == "client-123"


def test_a_forged_client_request_id_is_one_string_field_of_one_log_record(client, endpoint):
    response = client.post("/register", headers={REQUEST_ID: FORGED})

    (record,) = endpoint.records()
    assert record["client_request_id"] == FORGED
    assert (record["level"], record["request_id"]) == ("INFO", response.headers[REQUEST_ID])
    assert FORGED not in repr(endpoint.outbox)


def test_every_request_gets_a_new_id_even_when_the_client_repeats_its_header(client, endpoint):
    answered = {client.post("/register", headers={REQUEST_ID: "same"}).headers[REQUEST_ID]}
    answered |= {client.post("/register", headers={REQUEST_ID: "same"}).headers[REQUEST_ID]}
    answered |= {client.post("/register", headers={REQUEST_ID: "same"}).headers[REQUEST_ID]}

    assert len(answered) == 3
    assert {row.request_id for row in endpoint.outbox} == answered


@pytest.mark.parametrize(
    "value", ["x" * 129, "has space", "tab\there"], ids=["129", "space", "tab"]
)
def test_an_unacceptable_client_request_id_is_dropped_not_logged(client, endpoint, value):
    client.post("/register", headers={REQUEST_ID: value})

    (record,) = endpoint.records()
    assert "client_request_id" not in record


def test_a_request_without_the_header_logs_no_client_request_id(client, endpoint):
    response = client.post("/register")

    (record,) = endpoint.records()
    assert record["request_id"] == response.headers[REQUEST_ID]
    assert "client_request_id" not in record


# --- RPC callers are trusted services: their request id is kept ----------------------------


def test_an_rpc_worker_takes_the_callers_request_id():
    worker = SimpleNamespace(args=("ada@example.com",), context_data={"request_id": "caller-1"})

    RequestId().worker_setup(SimpleNamespace(**vars(worker), call_id="svc.register_entry.1"))

    assert current_request_id() == "caller-1"


def test_an_rpc_worker_without_one_takes_its_call_id():
    worker = SimpleNamespace(args=("ada@example.com",), context_data={}, call_id="svc.call.7")

    RequestId().worker_setup(worker)

    assert current_request_id() == "svc.call.7"
