import logging
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

import amqp

from registration.adapters.amqp.connection import open_connection
from registration.adapters.outbox.message_sink import MessageSink
from registration.adapters.sql.outbox_rows import PendingMessage
from registration.infrastructure.settings import BrokerSettings

log = logging.getLogger(__name__)


class BrokerUnavailable(Exception):
    """The broker could not be reached or did not confirm every message."""


class ConfirmedAmqpPublisher(MessageSink):
    """The outbox relay's MessageSink for RabbitMQ: publishes batches to a topic exchange and
    returns only once the broker confirmed them all.

    The messages of a batch are pipelined: all are sent, then the confirms are awaited together,
    which costs one round trip per batch rather than one per message. A whole batch, connecting
    included, is bounded by `timeout_seconds`: the relay holds its claim on the batch's rows
    meanwhile, and that claim must end well before the database gives up on it.
    """

    def __init__(self, broker: BrokerSettings, exchange: str, timeout_seconds: float = 5.0) -> None:
        self._broker = broker
        self._exchange = exchange
        self._timeout = timeout_seconds
        self._connection: amqp.Connection | None = None
        self._channel: amqp.Channel | None = None
        self._next_tag = 1
        self._unconfirmed: set[int] = set()
        self._rejected: set[int] = set()

    def publish(self, messages: Sequence[PendingMessage]) -> None:
        if not messages:
            return
        deadline = time.monotonic() + self._timeout
        try:
            channel = self._ready_channel()
            with _one_write_per_batch(self._connection):
                for message in messages:
                    self._unconfirmed.add(self._next_tag)
                    self._next_tag += 1
                    channel.basic_publish(
                        _to_amqp(message), exchange=self._exchange, routing_key=message.event_type
                    )
            while self._unconfirmed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the broker did not confirm the batch in time")
                self._connection.drain_events(timeout=remaining)  # type: ignore[union-attr]
        except (TimeoutError, OSError, amqp.exceptions.AMQPError) as error:
            self.close()
            raise BrokerUnavailable(str(error) or type(error).__name__) from error
        if self._rejected:
            self._rejected.clear()
            raise BrokerUnavailable("the broker rejected (nacked) part of the batch")

    def keep_alive(self) -> None:
        """Between batches: read what the broker sent (its heartbeats, a blocked notice), send a
        heartbeat when one is due, and drop a connection whose broker fell silent, so the next
        batch starts on a fresh one instead of finding out mid-claim."""
        if self._connection is None:
            return
        try:
            with suppress(TimeoutError, socket.timeout):
                self._connection.drain_events(timeout=0)
            self._connection.heartbeat_tick()
        except (OSError, amqp.exceptions.AMQPError):
            log.info("AMQP connection lost while idle; reconnecting with the next batch")
            self.close()

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        self._unconfirmed.clear()
        if connection is not None:
            try:
                connection.collect()
            except Exception:  # a dead connection has nothing left to close cleanly
                log.debug("discarding broken AMQP connection", exc_info=True)

    def _ready_channel(self) -> amqp.Channel:
        if self._channel is None:
            self._connection = open_connection(self._broker, self._timeout)
            channel = self._connection.channel()
            # Same declaration as nameko's EventDispatcher, so either may create it first.
            channel.exchange_declare(self._exchange, "topic", durable=True, auto_delete=False)
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._channel, self._next_tag = channel, 1
        return self._channel

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._rejected.update(self._settle(delivery_tag, multiple))

    def _settle(self, delivery_tag: int, multiple: bool) -> set[int]:
        settled = (
            {t for t in self._unconfirmed if t <= delivery_tag} if multiple else {delivery_tag}
        )
        self._unconfirmed -= settled
        return settled


@contextmanager
def _one_write_per_batch(connection: amqp.Connection | None) -> Iterator[None]:
    """Send a batch's frames with one socket write instead of three writes per message.

    py-amqp writes each frame through `transport._write` (the socket's sendall); collecting them
    saves most of the relay's CPU under load. If the batch fails half-way nothing is sent, and
    the caller drops the connection anyway. It also tries a read before every publish, to notice
    a `connection.blocked` from the broker: the confirms are read right after the batch, and such
    a notice with them, so that per-message read is skipped here.
    """
    assert connection is not None
    transport = connection.transport
    send, frames = transport._write, []
    # Copy: py-amqp packs every frame into one reused buffer and hands out views of it.
    transport._write = lambda frame: frames.append(bytes(frame))
    properties = connection.client_properties
    capabilities = {**properties.get("capabilities", {}), "connection.blocked": False}
    connection.client_properties = {**properties, "capabilities": capabilities}
    try:
        yield
    finally:
        transport._write = send
        connection.client_properties = properties
    send(b"".join(frames))


def _to_amqp(message: PendingMessage) -> amqp.Message:
    headers = {"x-request-id": message.request_id} if message.request_id else {}
    return amqp.Message(
        message.payload.encode("utf-8"),
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=2,
        message_id=str(message.event_id),
        type=message.event_type,
        timestamp=int(message.created_at.timestamp()),
        application_headers=headers,
    )
