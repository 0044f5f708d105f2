"""What the running service logs about a request: JSON lines carrying its request id, and never
the address it registered."""

import json
import uuid
from pathlib import Path

import pytest
import requests

from tests.support.registration.service_process import ServiceProcess
from tests.support.registration.sign_up import confirmation_request

pytestmark = pytest.mark.integration


@pytest.fixture
def amqp_uri(private_vhost):
    """Under the deployed name the service consumes `rpc-nameko_registration_service`: on a vhost
    of its own it answers no other run's RPC calls and leaves no queue behind."""
    return private_vhost.amqp_uri


@pytest.fixture
def service(fresh_postgres_url: str, amqp_uri: str, tmp_path: Path):
    process = ServiceProcess(
        tmp_path / "service.log",
        DATABASE_URL=fresh_postgres_url,
        AMQP_URI=amqp_uri,
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",  # the most it would ever say
        SERVICE_NAME="nameko_registration_service",
    )
    try:
        yield process.start()
    finally:
        process.stop()


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
    assert response.headers["X-Request-ID"] == "test-123"
    entry_id = confirmation_request(fresh_postgres_url, address)["entry_id"]
    lines = logged_lines(service)
    of_the_request = [line for line in lines if line.get("request_id") == "test-123"]
    assert [line["message"] for line in of_the_request] == [
        f"registration of entry {entry_id}: confirmation_requested"
    ]
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
        f"{service.base_url}/entries/{entry_id}", headers={"X-Request-ID": "erase-1"}, timeout=30
    )
    # a caller that passes the address where the id goes: not found, and not logged either
    mistaken = requests.delete(f"{service.base_url}/entries/{address}", timeout=30)

    assert (erased.status_code, mistaken.status_code) == (204, 404)
    lines = logged_lines(service)
    of_the_erasure = [line for line in lines if line.get("request_id") == "erase-1"]
    assert [line["message"] for line in of_the_erasure] == [f"erased entry {entry_id}"]
    assert of_the_erasure[0]["entry_id"] == entry_id
    assert marker not in service.output()
