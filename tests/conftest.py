"""Shared test set-up: eventlet's monkey patch first (nameko >= 2.14 no longer applies it)."""

from registration.infrastructure.nameko_cli import import_eventlet_quietly

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


# Exchanges the suite's services and tools declare on the shared broker; removed at the end when
# nothing is bound to them any more (another user's bound queue keeps an exchange alive).
SUITE_EXCHANGES = (
    "nameko_registration_service.events",
    "dispatch_only_example.events",
    "nameko-rpc",
)


@pytest.fixture(scope="session", autouse=True)
def leave_the_broker_as_found():
    yield
    import amqp
    from kombu.utils.url import parse_url

    parts = parse_url(AMQP_URI)
    connection = amqp.Connection(
        f"{parts['hostname']}:{parts['port'] or 5672}",
        userid=parts["userid"],
        password=parts["password"],
        virtual_host=parts["virtual_host"] or "/",
    )
    try:
        connection.connect()
    except OSError:
        return
    # The RPC queue of services run under the deployed name (as operators run them), once idle.
    channel = connection.channel()
    with contextlib.suppress(amqp.exceptions.AMQPError):
        channel.queue_delete("rpc-nameko_registration_service", if_unused=True, if_empty=True)
    for exchange in SUITE_EXCHANGES:
        channel = connection.channel()
        # in use or gone: the broker refuses and closes this channel
        with contextlib.suppress(amqp.exceptions.AMQPError):
            channel.exchange_delete(exchange, if_unused=True)
    connection.collect()
