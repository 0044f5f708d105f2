"""WEB_CONCURRENCY > 1: several processes on one port, one metrics view."""

import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.registration.service_process import ServiceProcess

pytestmark = pytest.mark.integration


@pytest.fixture
def amqp_uri(private_vhost):
    """Under the deployed name the service consumes `rpc-nameko_registration_service`: on a vhost
    of its own it answers no other run's RPC calls and leaves no queue behind."""
    return private_vhost.amqp_uri


@pytest.fixture
def service(tmp_path, fresh_postgres_url, amqp_uri):
    process = ServiceProcess(
        tmp_path / "service.log",
        DATABASE_URL=fresh_postgres_url,
        AMQP_URI=amqp_uri,
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
    )
    process.start()
    yield process
    process.stop()


def registered_total(management_url):
    text = requests.get(f"{management_url}/metrics", timeout=10).text
    return next(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "registrations_total"
        and sample.labels == {"outcome": "confirmation_requested"}
    )


def test_every_process_answers_for_all_in_metrics(service):
    for _ in range(20):
        response = requests.post(
            f"{service.base_url}/register",
            json={"email": f"multi-{uuid.uuid4().hex[:10]}@example.com"},
            # a new connection each time, so the kernel spreads them over the processes
            headers={"Connection": "close"},
            timeout=10,
        )
        assert response.status_code == 202

    assert {registered_total(service.management_url) for _ in range(6)} == {20}
