"""Every AMQP connection the service opens honours the whole broker configuration: here a
broker reachable only over TLS (`amqps://`, nameko's AMQP_SSL with a private CA, a heartbeat)."""

import ssl
import uuid

import pytest
import requests
import trustme
from kombu.utils.url import parse_url
from nameko.amqp.publish import get_connection

from registration.adapters.amqp.connection import open_connection
from registration.adapters.amqp.health import BrokerProbe
from registration.infrastructure.settings import BrokerSettings
from tests.support.registration.event_recorder import EventRecorder
from tests.support.registration.service_container import (
    base_url,
    delete_rpc_queue,
    isolated_service_class,
    management_url,
    running_container,
    service_config,
    wait_until_ready,
)
from tests.support.registration.sign_up import confirmation_request
from tests.support.tls_proxy import TlsProxy

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    server = authority.issue_cert("localhost", "127.0.0.1")
    paths = {name: folder / f"{name}.pem" for name in ("ca", "ca-key", "cert", "key")}
    authority.cert_pem.write_to_path(str(paths["ca"]))
    authority.private_key_pem.write_to_path(str(paths["ca-key"]))
    server.private_key_pem.write_to_path(str(paths["key"]))
    for blob in server.cert_chain_pems:
        blob.write_to_path(str(paths["cert"]), append=True)
    return paths


@pytest.fixture(scope="module")
def broker_with_a_certificate_for_another_name(tmp_path_factory, certificates):
    """Signed by the same trusted CA, for a name that is not the one dialled."""
    from tests.conftest import AMQP_URI

    folder = tmp_path_factory.mktemp("tls-other-name")
    authority = trustme.CA.from_pem(
        certificates["ca"].read_bytes(), certificates["ca-key"].read_bytes()
    )
    other = authority.issue_cert("rabbitmq.attacker.example")
    cert, key = folder / "cert.pem", folder / "key.pem"
    other.private_key_pem.write_to_path(str(key))
    for blob in other.cert_chain_pems:
        blob.write_to_path(str(cert), append=True)
    proxy = TlsProxy(cert, key, parse_url(AMQP_URI)["port"] or 5672)
    yield proxy
    proxy.close()


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


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_certificate_for_another_name_is_refused_by_the_services_connections(
    broker_with_a_certificate_for_another_name, certificates, host
):
    uri = f"amqps://guest:guest@{host}:{broker_with_a_certificate_for_another_name.port}/"
    trusted_ca = {"ca_certs": str(certificates["ca"]), "cert_reqs": ssl.CERT_REQUIRED}

    problem = BrokerProbe(BrokerSettings(uri=uri, ssl=trusted_ca), timeout_seconds=5).problem()
    # the way nameko's own consumers and publishers connect
    with (
        pytest.raises(ssl.SSLCertVerificationError, match="mismatch"),
        get_connection(uri, trusted_ca) as connection,
    ):
        connection.connect()

    assert problem is not None and "mismatch" in problem


def test_the_service_relays_its_events_through_a_broker_reachable_only_over_tls(
    tls_broker, certificates, fresh_postgres_url, amqp_uri
):
    broker = tls_settings(tls_broker, certificates)
    config = service_config(broker.uri, fresh_postgres_url, AMQP_SSL=broker.ssl, HEARTBEAT=10)
    service_cls = isolated_service_class()
    # the plain listener: what any subscriber sees
    recorder = EventRecorder(amqp_uri, routing_key="ConfirmationRequested")
    try:
        with running_container(service_cls, config):
            url = base_url(config)
            assert wait_until_ready(url)
            address = f"tls-{uuid.uuid4().hex[:12]}@example.com"
            response = requests.post(f"{url}/register", json={"email": address}, timeout=10)
            health = requests.get(f"{management_url(config)}/health", timeout=10).json()
            entry_id = confirmation_request(fresh_postgres_url, address)["entry_id"]
            events = recorder.wait_until(
                lambda got: any(e.body["entry_id"] == entry_id for e in got)
            )
    finally:
        recorder.close()
        delete_rpc_queue(amqp_uri, service_cls.name)

    assert response.status_code == 202
    assert health["checks"]["broker"] == {"status": "ok"}
    assert [e.body["email"] for e in events if e.body["entry_id"] == entry_id] == [address]


def test_the_subscriber_consumes_and_dead_letters_through_a_broker_reachable_only_over_tls(
    tls_broker, certificates, fresh_postgres_url, amqp_uri, container_factory
):
    from tests.support.ports import free_port
    from tests.support.queues import wait_for_message_where
    from tests.support.welcome.events import publish_event, publish_raw, registered_entry_payload
    from tests.support.welcome.smtp_server import RecordingSmtpServer
    from tests.support.welcome.subscribers import isolated_subscriber

    broker = tls_settings(tls_broker, certificates)
    subscriber = isolated_subscriber()
    smtp_server = RecordingSmtpServer().start()
    config = {
        "AMQP_URI": broker.uri,
        "AMQP_SSL": broker.ssl,
        "HEARTBEAT": 10,
        "WELCOME_WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "max_workers": 4,
        "WELCOME_DATABASE_URL": fresh_postgres_url,
        "NOTIFIER": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "RETRY_DELAYS_SECONDS": "0.2",
    }
    before = tls_broker.handshakes()
    container = container_factory(subscriber.service_cls, config)
    try:
        container.start()
        payload = registered_entry_payload()
        poison_id = str(uuid.uuid4())
        # published over the plain listener, as the registration service's relay would
        publish_event(amqp_uri, payload, source_service=subscriber.source_service)
        publish_raw(
            amqp_uri, b"{not json", message_id=poison_id, source_service=subscriber.source_service
        )
        mails = smtp_server.wait_for_messages_to(payload["email"])
        dead = wait_for_message_where(
            amqp_uri,
            subscriber.dead_letter_queue,
            lambda message: message.properties.get("message_id") == poison_id,
        )
    finally:
        container.kill()
        smtp_server.stop()
        subscriber.remove_from(amqp_uri, (0.2,))

    assert len(mails) == 1
    assert dead is not None  # moved there by the subscriber's own publisher, over TLS
    assert tls_broker.handshakes() > before
