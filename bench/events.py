"""Records every RegisteredEntryEvent on the broker, with the time it arrived."""

import json
import socket
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass

import amqp
from kombu.utils.url import parse_url

from bench.load import run_token_of

ROUTING_KEY = "RegisteredEntryEvent"


@dataclass(frozen=True)
class ReceivedEvent:
    received_at: float  # epoch seconds, this machine's clock
    event_id: str | None
    email: str | None
    timestamp: str | None  # the event's own field, ISO-8601

    @classmethod
    def from_body(cls, received_at: float, body: bytes | str) -> "ReceivedEvent":
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return cls(received_at, None, None, None)
        return cls(
            received_at,
            _text(payload.get("event_id")),
            _text(payload.get("email")),
            _text(payload.get("timestamp")),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


class EventRecorder:
    """A plain AMQP consumer in a thread, on an exclusive auto-delete queue of its own.

    The exchange is declared as the service declares it (topic, durable), so the queue can be
    bound before the service has published anything; the exchange is the service's, and the
    queue goes with the connection. While load runs, the consumer only notes each body and the
    time it arrived (it shares the machine with the service measured); the bodies are read when
    the events are asked for.
    """

    def __init__(self, amqp_uri: str, exchange: str, routing_key: str = ROUTING_KEY):
        self._amqp_uri = amqp_uri
        self._exchange = exchange
        self._routing_key = routing_key
        self.queue_name = f"bench-events-{uuid.uuid4().hex}"
        self._arrived: list[tuple[float, bytes]] = []  # appended by the consumer thread only
        self._read_up_to = 0
        self._events_by_run: dict[str, list[ReceivedEvent]] = {}
        self._ids_by_run: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._bound = threading.Event()
        self._stopping = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._consume, name="event-recorder", daemon=True)

    def __enter__(self) -> "EventRecorder":
        self._thread.start()
        self._bound.wait(timeout=30)
        self.raise_if_failed()
        if not self._bound.is_set():
            raise RuntimeError("the event queue was not bound within 30 s")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)

    def events_of_run(self, token: str) -> list[ReceivedEvent]:
        """The events whose address carries the run's token, in order of arrival."""
        with self._lock:
            self._read_new_arrivals()
            return list(self._events_by_run.get(token, ()))

    def distinct_events_of_run(self, token: str) -> int:
        with self._lock:
            self._read_new_arrivals()
            return len(self._ids_by_run.get(token, ()))

    def raise_if_failed(self) -> None:
        if self._failure is not None:
            raise RuntimeError(f"the event recorder failed: {self._failure!r}") from self._failure

    def _read_new_arrivals(self) -> None:
        # indexed by run as they are read: asking for a run's events stays cheap at 100,000
        arrived = len(self._arrived)  # list.append is atomic: everything below it is complete
        for received_at, body in self._arrived[self._read_up_to : arrived]:
            event = ReceivedEvent.from_body(received_at, body)
            token = run_token_of(event.email) if event.email else ""
            self._events_by_run.setdefault(token, []).append(event)
            if event.event_id is not None:
                self._ids_by_run.setdefault(token, set()).add(event.event_id)
        self._read_up_to = arrived

    def _consume(self) -> None:
        # py-amqp is not thread-safe: this thread owns the connection from start to end
        try:
            parts = parse_url(self._amqp_uri)
            connection = amqp.Connection(
                f"{parts['hostname']}:{parts['port'] or 5672}",
                userid=parts["userid"],
                password=parts["password"],
                virtual_host=parts["virtual_host"] or "/",
            )
            connection.connect()
            try:
                channel = connection.channel()
                channel.exchange_declare(self._exchange, "topic", durable=True, auto_delete=False)
                channel.queue_declare(self.queue_name, exclusive=True, auto_delete=True)
                channel.queue_bind(self.queue_name, self._exchange, self._routing_key)
                channel.basic_consume(self.queue_name, no_ack=True, callback=self._note)
                self._bound.set()
                while not self._stopping.is_set():
                    # a timeout only means nothing arrived: look at the stop flag again
                    with suppress(TimeoutError, socket.timeout):
                        connection.drain_events(timeout=0.2)
                channel.queue_delete(self.queue_name)
            finally:
                connection.close()
        except BaseException as exc:
            self._failure = exc
            self._bound.set()

    def _note(self, message: amqp.Message) -> None:
        self._arrived.append((time.time(), message.body))
