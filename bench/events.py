"""Records every RegisteredEntryEvent on the broker, with the time it arrived."""

import json
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass

import kombu

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
    queue goes with the connection.
    """

    def __init__(self, amqp_uri: str, exchange: str, routing_key: str = ROUTING_KEY):
        self._amqp_uri = amqp_uri
        self._exchange = kombu.Exchange(exchange, type="topic", durable=True)
        self._routing_key = routing_key
        self.queue_name = f"bench-events-{uuid.uuid4().hex}"
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
            return list(self._events_by_run.get(token, ()))

    def distinct_events_of_run(self, token: str) -> int:
        with self._lock:
            return len(self._ids_by_run.get(token, ()))

    def raise_if_failed(self) -> None:
        if self._failure is not None:
            raise RuntimeError(f"the event recorder failed: {self._failure!r}") from self._failure

    def _consume(self) -> None:
        # py-amqp is not thread-safe: this thread owns the connection from start to end
        try:
            with kombu.Connection(self._amqp_uri) as connection:
                queue = kombu.Queue(
                    self.queue_name,
                    self._exchange,
                    routing_key=self._routing_key,
                    exclusive=True,
                    auto_delete=True,
                    durable=False,
                )
                with kombu.Consumer(
                    connection, queues=[queue], on_message=self._record, no_ack=True
                ):
                    self._bound.set()
                    while not self._stopping.is_set():
                        # a timeout only means nothing arrived: look at the stop flag again
                        with suppress(TimeoutError):
                            connection.drain_events(timeout=0.2)
                queue.bind(connection.default_channel).delete()
        except BaseException as exc:
            self._failure = exc
            self._bound.set()

    def _record(self, message: kombu.Message) -> None:
        event = ReceivedEvent.from_body(time.time(), message.body)
        # indexed by run as they arrive: waiting for a run's events stays cheap at 100,000 events
        token = run_token_of(event.email) if event.email else ""
        with self._lock:
            self._events_by_run.setdefault(token, []).append(event)
            if event.event_id is not None:
                self._ids_by_run.setdefault(token, set()).add(event.event_id)
