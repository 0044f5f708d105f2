"""A plain AMQP consumer of the registration events, as any non-kombu subscriber would read them.

Other tests and tools may publish to the same exchange at the same time, so every question is
asked about a given set of entry ids.
"""

import json
import time
import uuid

import amqp

EXCHANGE = "nameko_registration_service.events"


class EventQueue:
    def __init__(self, host: str = "127.0.0.1:5672", routing_key: str = "RegisteredEntryEvent"):
        self.connection = amqp.Connection(host)
        self.connection.connect()
        self.channel = self.connection.channel()
        self.channel.exchange_declare(EXCHANGE, "topic", durable=True, auto_delete=False)
        self.name = f"test-events-{uuid.uuid4().hex[:10]}"
        self.channel.queue_declare(self.name, exclusive=True, auto_delete=True)
        self.channel.queue_bind(self.name, EXCHANGE, routing_key)
        self.received: list[tuple[dict, amqp.Message]] = []
        self.channel.basic_consume(self.name, callback=self._receive, no_ack=True)

    def _receive(self, message: amqp.Message) -> None:
        try:
            body = json.loads(message.body)
        except ValueError:  # someone else's test of a malformed event on the shared exchange
            return
        if isinstance(body, dict):
            self.received.append((body, message))

    def bodies(self, entry_ids: set[str]) -> list[dict]:
        return [body for body, _ in self.received if body.get("entry_id") in entry_ids]

    def messages_about(self, entry_ids: set[str]) -> list[amqp.Message]:
        return [message for body, message in self.received if body.get("entry_id") in entry_ids]

    def wait_for(
        self, entry_ids: set[str], count: int | None = None, timeout: float = 15.0
    ) -> list[dict]:
        """Wait until `count` events (default: one per entry) about these entries arrived."""
        wanted = len(entry_ids) if count is None else count
        deadline = time.monotonic() + timeout
        seen, checked = 0, 0
        while seen < wanted and time.monotonic() < deadline:
            self.drain(0.2)
            fresh = self.received[checked:]
            checked += len(fresh)
            seen += sum(1 for body, _ in fresh if body.get("entry_id") in entry_ids)
        return self.bodies(entry_ids)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.connection.drain_events(timeout=max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                return

    def close(self) -> None:
        self.connection.close()
