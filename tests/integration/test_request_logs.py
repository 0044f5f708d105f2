"""What the running service logs about a request: JSON lines carrying its request id, and never
the address it registered. A client's X-Request-ID appears only beside the service's own id, as
`client_request_id`, and cannot forge a line or a field in JSON or in text."""

import json
import re
import uuid
from pathlib import Path

import pytest
import requests

from tests.support.auth import operator_headers
from tests.support.registration.service_process import ServiceProcess
from tests.support.registration.sign_up import confirmation_request

pytestmark = pytest.mark.integration


@pytest.fixture
def amqp_uri(private_vhost):
    """Under the deployed name the service consumes `rpc-nameko_registration_service`: on a vhost
    of its own it answers no other run's RPC calls and leaves no queue behind."""
    return private_vhost.amqp_uri


# A client's X-Request-ID as one that tries to end the text line's brackets and the JSON record.
FORGED = 'x]_INFO_fake_"},{"level":"ERROR"'


def running_service(database_url: str, amqp_uri: str, log: Path, log_format: str):
    process = ServiceProcess(
        log,
        DATABASE_URL=database_url,
        AMQP_URI=amqp_uri,
        LOG_FORMAT=log_format,
        LOG_LEVEL="DEBUG",  # the most it would ever say
        SERVICE_NAME="nameko_registration_service",
    )
    try:
        yield process.start()
    finally:
        process.stop()


@pytest.fixture
def service(fresh_postgres_url: str, amqp_uri: str, tmp_path: Path):
    yield from running_service(fresh_postgres_url, amqp_uri, tmp_path / "service.log", "json")


@pytest.fixture
def text_service(fresh_postgres_url: str, amqp_uri: str, tmp_path: Path):
    yield from running_service(fresh_postgres_url, amqp_uri, tmp_path / "service.log", "text")


def logged_lines(service: ServiceProcess) -> list[dict]:
    """Every line of the run, from the migrations to the exit: each must be JSON."""
    service.stop()  # SIGTERM: what was logged is all written once it exited
    return [json.loads(line) for line in service.output().splitlines()]


def test_the_lines_of_a_request_are_json_with_its_request_id_and_no_address(
    service, fresh_postgres_url
):
    marker = uuid.uuid4().hex  # only the address holds it
    address = f"Zoë.Logs-{marker}@Exämple.com"

    response = requests.post(
        f"{service.base_url}/register",
        json={"email": address},
        headers={"X-Request-ID": "test-123"},
        timeout=30,
    )
    duplicate = requests.post(
        f"{service.base_url}/register",
        json={"email": address},
        headers={"X-Request-ID": "test-456"},
        timeout=30,
    )

    assert (response.status_code, duplicate.status_code) == (202, 202)
    request_id = response.headers["X-Request-ID"]
    assert request_id != "test-123"
    entry_id = confirmation_request(fresh_postgres_url, address)["entry_id"]
    lines = logged_lines(service)
    of_the_request = [line for line in lines if line.get("request_id") == request_id]
    assert [line["message"] for line in of_the_request] == [
        f"registration of entry {entry_id}: confirmation_requested"
    ]
    assert of_the_request[0]["client_request_id"] == "test-123"
    assert not [line for line in lines if line.get("request_id") in ("test-123", "test-456")]
    assert of_the_request[0]["level"] == "INFO"
    assert of_the_request[0]["entry_id"] == entry_id
    assert all(line["service"] == "nameko_registration_service" for line in lines)
    assert marker not in service.output()


def test_an_erasure_logs_the_entry_id_and_never_the_address(service, fresh_postgres_url):
    marker = uuid.uuid4().hex
    address = f"erase-{marker}@example.com"
    requests.post(f"{service.base_url}/register", json={"email": address}, timeout=30)
    entry_id = confirmation_request(fresh_postgres_url, address)["entry_id"]

    erased = requests.delete(
        f"{service.base_url}/entries/{entry_id}",
        headers={"X-Request-ID": "erase-1", **operator_headers()},
        timeout=30,
    )
    # a caller that passes the address where the id goes: not found, and not logged either
    mistaken = requests.delete(
        f"{service.base_url}/entries/{address}", headers=operator_headers(), timeout=30
    )

    assert (erased.status_code, mistaken.status_code) == (204, 404)
    lines = logged_lines(service)
    of_the_erasure = [
        line for line in lines if line.get("request_id") == erased.headers["X-Request-ID"]
    ]
    assert [line["message"] for line in of_the_erasure] == [
        f"audit: erase by operator:operator-1, entry {entry_id}: done"
    ]
    assert of_the_erasure[0]["entry_id"] == entry_id
    assert marker not in service.output()


def register_with_a_forged_request_id(service: ServiceProcess) -> str:
    """A new address, so the service logs a line about it; the request id the service answered."""
    response = requests.post(
        f"{service.base_url}/register",
        json={"email": f"forged-{uuid.uuid4().hex}@example.com"},
        headers={"X-Request-ID": FORGED},
        timeout=30,
    )
    assert response.status_code < 300, response.text
    assert response.headers["X-Request-ID"] != FORGED
    return response.headers["X-Request-ID"]


def test_a_forged_client_request_id_is_one_string_field_of_its_json_records(service):
    request_id = register_with_a_forged_request_id(service)

    lines = logged_lines(service)  # every line is one JSON object, or this fails

    of_the_request = [line for line in lines if line.get("request_id") == request_id]
    assert of_the_request
    assert all(line["client_request_id"] == FORGED for line in of_the_request)
    assert [line for line in lines if "INFO_fake" in json.dumps(line)] == of_the_request
    assert not [line for line in lines if line.get("level") == "ERROR"]


# time, level, service, logger, [request id and the client's quoted], message
TEXT_LINE_OF_A_CLIENT_ID = re.compile(
    r"\S+ [A-Z]+ nameko_registration_service \S+ "
    r'\[(?P<request_id>\S+) client_request_id=(?P<quoted>"(?:[^"\\\]]|\\.)*")\] .*'
)


def test_a_forged_client_request_id_is_quoted_and_escaped_in_text_lines(text_service):
    request_id = register_with_a_forged_request_id(text_service)

    text_service.stop()
    lines = text_service.output().splitlines()

    with_the_forgery = [line for line in lines if "INFO_fake" in line]
    assert with_the_forgery
    for line in with_the_forgery:
        fields = TEXT_LINE_OF_A_CLIENT_ID.fullmatch(line)
        assert fields, line
        assert fields["request_id"] == request_id
        assert json.loads(fields["quoted"]) == FORGED
    assert not [line for line in lines if " ERROR " in line]
