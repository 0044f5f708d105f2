"""Shared test set-up: eventlet's monkey patch first (nameko >= 2.14 no longer applies it)."""

from service_kit.nameko_cli import import_eventlet_quietly

# eventlet announces its bug-fix-only status on import (EventletDeprecationWarning, a Warning)
import_eventlet_quietly()

import eventlet  # noqa: E402

eventlet.monkey_patch()

import contextlib  # noqa: E402
import os  # noqa: E402

import pytest  # noqa: E402

AMQP_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture(scope="session")
def amqp_uri() -> str:
    return AMQP_URI


@pytest.fixture
def fresh_postgres_url():
    """A new, empty PostgreSQL database, dropped after the test."""
    from tests.support.databases import fresh_postgres_database

    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def private_vhost(amqp_uri):
    """A RabbitMQ virtual host of the test's own (see tests.support.broker), removed after it:
    for tests that run a service or read a queue under the deployed names."""
    from tests.support.broker import private_vhost

    with private_vhost(amqp_uri) as vhost:
        yield vhost


# Exchanges declared on the shared vhost by the suite's containers under their own names (the
# contract's events exchange, nameko's RPC exchange) and by its event readers; removed at the end
# when nothing is bound to them any more (another user's bound queue keeps an exchange alive).
# Whatever runs under the deployed names does so on a private vhost, gone with it.
SUITE_EXCHANGES = ("nameko_registration_service.events", "nameko-rpc")


@pytest.fixture(scope="session", autouse=True)
def leave_the_broker_as_found():
    yield
    import amqp

    from tests.support.broker import connection_to

    connection = connection_to(AMQP_URI)
    try:
        connection.connect()
    except OSError:
        return
    for exchange in SUITE_EXCHANGES:
        channel = connection.channel()
        # in use or gone: the broker refuses and closes this channel
        with contextlib.suppress(amqp.exceptions.AMQPError):
            channel.exchange_delete(exchange, if_unused=True)
    connection.collect()
