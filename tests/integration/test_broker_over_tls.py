"""Every AMQP connection the service opens honours the whole broker configuration: here a
broker reachable only over TLS (`amqps://`, nameko's AMQP_SSL with a private CA, a heartbeat)."""

import ssl
import uuid

import pytest
import requests
import trustme
from kombu.utils.url import parse_url
from tests.registration_support.events import EventRecorder
from tests.registration_support.service import (
    base_url,
    delete_rpc_queue,
    isolated_service_class,
    running_container,
    service_config,
    wait_until_ready,
)
from tests.support.tls_proxy import TlsProxy

from registration.adapters.amqp.connection import open_connection
from registration.adapters.amqp.health import BrokerProbe
from registration.infrastructure.settings import BrokerSettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    server = authority.issue_cert("localhost", "127.0.0.1")
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    authority.cert_pem.write_to_path(str(paths["ca"]))
    server.private_key_pem.write_to_path(str(paths["key"]))
    for blob in server.cert_chain_pems:
        blob.write_to_path(str(paths["cert"]), append=True)
    return paths


@pytest.fixture(scope="module")
def tls_broker(certificates):
    from tests.conftest import AMQP_URI

    proxy = TlsProxy(certificates["cert"], certificates["key"], parse_url(AMQP_URI)["port"] or 5672)
    yield proxy
    proxy.close()


def tls_settings(tls_broker, certificates, **overrides) -> BrokerSettings:
    return BrokerSettings(
        uri=f"amqps://guest:guest@localhost:{tls_broker.port}/?heartbeat=10",
        ssl={"ca_certs": str(certificates["ca"]), "cert_reqs": ssl.CERT_REQUIRED},
        **overrides,
    )


def test_a_connection_over_tls_negotiates_the_heartbeat_of_the_uri(tls_broker, certificates):
    before = tls_broker.handshakes()
    connection = open_connection(tls_settings(tls_broker, certificates), timeout_seconds=5)
    try:
        assert connection.heartbeat == 10
        assert connection.transport.sock.version().startswith("TLS")
    finally:
        connection.close()
    assert tls_broker.handshakes() == before + 1


def test_the_health_probe_refuses_a_broker_whose_certificate_it_cannot_trust(tls_broker):
    untrusted = BrokerSettings(
        uri=f"amqps://guest:guest@localhost:{tls_broker.port}/",
        ssl={"cert_reqs": ssl.CERT_REQUIRED},  # the system's trust store: not our private CA
    )

    problem = BrokerProbe(untrusted, timeout_seconds=5).problem()

    assert problem is not None and "certificate" in problem.lower()


def test_the_service_relays_its_events_through_a_broker_reachable_only_over_tls(
    tls_broker, certificates, fresh_postgres_url, amqp_uri
):
    broker = tls_settings(tls_broker, certificates)
    config = service_config(broker.uri, fresh_postgres_url, AMQP_SSL=broker.ssl, HEARTBEAT=10)
    service_cls = isolated_service_class()
    recorder = EventRecorder(amqp_uri)  # the plain listener: what any subscriber sees
    try:
        with running_container(service_cls, config):
            url = base_url(config)
            assert wait_until_ready(url)
            address = f"tls-{uuid.uuid4().hex[:12]}@example.com"
            response = requests.post(f"{url}/register", json={"email": address}, timeout=10)
            health = requests.get(f"{url}/health", timeout=10).json()
            entry_id = response.json()["id"]
            events = recorder.wait_until(
                lambda got: any(e.body["entry_id"] == entry_id for e in got)
            )
    finally:
        recorder.close()
        delete_rpc_queue(amqp_uri, service_cls.name)

    assert response.status_code == 201
    assert health["checks"]["broker"] == {"status": "ok"}
    assert [e.body["email"] for e in events if e.body["entry_id"] == entry_id] == [address]
