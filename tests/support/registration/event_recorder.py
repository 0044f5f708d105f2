"""Records the events on the contract's exchange, as any AMQP client sees them."""

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kombu import Connection, Exchange, Queue

from registration.bootstrap import EVENTS_EXCHANGE

ROUTING_KEY = "RegisteredEntryEvent"


@dataclass(frozen=True)
class RecordedEvent:
    text: str  # the body as delivered: py-amqp decodes it by its content_encoding
    properties: dict[str, Any]
    headers: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.text)  # plain json, no kombu serializer

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")


class EventRecorder:
    """An exclusive queue bound to the events exchange; the broker drops it with the connection.

    Bind it before the requests whose events it should see. Other runs on the shared broker
    publish to the same exchange: tests pick their own events out of `received`.
    """

    def __init__(self, amqp_uri: str, routing_key: str = ROUTING_KEY) -> None:
        self._connection = Connection(amqp_uri)
        self._channel = self._connection.channel()
        # Declared exactly as nameko's EventDispatcher does, so it is a no-op when it exists.
        exchange = Exchange(EVENTS_EXCHANGE, type="topic", durable=True)
        self._queue = Queue(
            f"test-registration-events-{uuid.uuid4().hex}",
            exchange=exchange,
            routing_key=routing_key,
            exclusive=True,
            auto_delete=True,
        )(self._channel)
        self._queue.declare()
        self.received: list[RecordedEvent] = []

    def wait_until(
        self, done: Callable[[list[RecordedEvent]], bool], timeout: float = 15.0
    ) -> list[RecordedEvent]:
        deadline = time.monotonic() + timeout
        while not done(self.received) and time.monotonic() < deadline:
            self._drain()
            time.sleep(0.05)
        return self.received

    def linger(self, seconds: float) -> list[RecordedEvent]:
        """Keep receiving for a while: how a test sees that nothing more arrives."""
        return self.wait_until(lambda _: False, timeout=seconds)

    def close(self) -> None:
        self._connection.release()

    def _drain(self) -> None:
        while (message := self._queue.get(no_ack=True)) is not None:
            if not _is_json_object(_text(message.body)):
                continue  # someone else's test of a malformed event on the shared exchange
            self.received.append(
                RecordedEvent(
                    text=_text(message.body),
                    properties={
                        **message.properties,
                        "content_type": message.content_type,
                        "content_encoding": message.content_encoding,
                    },
                    headers=dict(message.headers or {}),
                )
            )


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _text(body: str | bytes) -> str:
    return body if isinstance(body, str) else body.decode("utf-8")
