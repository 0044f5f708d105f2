"""The broker configuration the service's own AMQP connections take: nameko's keys, read alike."""

import pytest

from registration.infrastructure.settings import BrokerSettings, Settings

pytestmark = pytest.mark.unit


def test_nameko_keys_for_tls_heartbeat_and_login_are_all_taken() -> None:
    ssl_options = {"ca_certs": "/etc/ssl/private-ca.pem", "cert_reqs": 2}
    config = {
        "AMQP_URI": "amqps://svc:secret@rabbit.internal:5671/registration",
        "AMQP_SSL": ssl_options,
        "HEARTBEAT": "15",
        "LOGIN_METHOD": "EXTERNAL",
        "DATABASE_URL": "sqlite://",
    }

    broker = Settings.from_config(config).broker

    assert broker == BrokerSettings(
        uri="amqps://svc:secret@rabbit.internal:5671/registration",
        ssl=ssl_options,
        heartbeat_seconds=15.0,
        login_method="EXTERNAL",
    )


def test_without_them_the_defaults_are_nameko_own() -> None:
    broker = BrokerSettings.from_config({})

    assert (broker.ssl, broker.heartbeat_seconds, broker.login_method) == (None, 60.0, None)


def test_a_heartbeat_of_zero_turns_heartbeats_off_rather_than_meaning_the_default() -> None:
    assert BrokerSettings.from_config({"HEARTBEAT": 0}).heartbeat_seconds == 0.0


def test_a_batch_publish_is_bounded_well_inside_the_claim_the_database_allows() -> None:
    settings = Settings.from_config({"OUTBOX_CLAIM_SECONDS": "8"})

    assert settings.outbox_claim_seconds == 8.0
    assert settings.outbox_publish_timeout_seconds == 4.0
