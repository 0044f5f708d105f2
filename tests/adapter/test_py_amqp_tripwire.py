"""Tripwire for what the outbox relay's batch writer relies on inside py-amqp (see
`_one_write_per_batch` in adapters/amqp/confirmed_publisher.py): every frame leaves through the
transport's private `_write`, and a publish reads the socket first only when the client announced
the `connection.blocked` capability. A py-amqp release that changes either fails here, by name,
before the relay silently sends frame by frame or stops noticing a blocked broker."""

import uuid
from collections.abc import Iterator

import amqp
import pytest
from kombu.utils.url import parse_url

pytestmark = pytest.mark.adapter

CHECKED_VERSION = "5.4.2"


def broken(what: str) -> str:
    return (
        f"py-amqp {amqp.__version__} (checked against {CHECKED_VERSION}): {what}; "
        "the confirmed publisher's one-write-per-batch adapter must be revisited"
    )


@pytest.fixture
def connection(amqp_uri: str) -> Iterator[amqp.Connection]:
    parts = parse_url(amqp_uri)
    connection = amqp.Connection(
        host=f"{parts.get('hostname') or 'localhost'}:{parts.get('port') or 5672}",
        userid=parts.get("userid") or "guest",
        password=parts.get("password") or "guest",
        virtual_host=parts.get("virtual_host") or "/",
        connect_timeout=5,
    )
    connection.connect()
    try:
        yield connection
    finally:
        connection.close()


def publish_unroutable(channel: amqp.Channel, body: bytes) -> None:
    """To the default exchange under a queue name nobody has: the broker drops it."""
    channel.basic_publish(
        amqp.Message(body), exchange="", routing_key=f"tripwire-{uuid.uuid4().hex}"
    )


def test_every_frame_leaves_through_the_transports_private_write(connection):
    channel = connection.channel()
    transport = connection.transport
    assert hasattr(transport, "_write"), broken("the transport has no `_write` attribute")
    send, written = transport._write, []
    transport._write = lambda frame: written.append(bytes(frame))
    try:
        publish_unroutable(channel, b"tripwire-payload")
    finally:
        transport._write = send

    assert any(b"tripwire-payload" in frame for frame in written), broken(
        "a publish no longer goes through `transport._write`"
    )


def test_a_publish_reads_the_socket_first_only_under_the_blocked_capability(connection):
    channel = connection.channel()
    reads: list[float | None] = []
    drain = connection.drain_events

    def recording_drain(timeout=None):
        reads.append(timeout)
        return drain(timeout=timeout)

    connection.drain_events = recording_drain
    properties = connection.client_properties
    try:
        capabilities = {**properties.get("capabilities", {}), "connection.blocked": False}
        connection.client_properties = {**properties, "capabilities": capabilities}
        publish_unroutable(channel, b"without the capability")
        reads_without = len(reads)
        connection.client_properties = properties
        publish_unroutable(channel, b"with the capability")
    finally:
        connection.drain_events = drain
        connection.client_properties = properties

    assert reads_without == 0, broken(
        "a publish reads the socket although `client_properties['capabilities']"
        "['connection.blocked']` is off"
    )
    assert reads, broken("`connection.blocked` in `client_properties` no longer gates the read")
