"""A few clients signing new addresses up back to back, and a queue that catches the events."""

import contextlib
import json
import threading
import time
import uuid
from dataclasses import dataclass

import amqp
import requests

from tests.support.broker import connection_to

EVENTS_EXCHANGE = "nameko_registration_service.events"


@dataclass
class Attempt:
    started: float
    finished: float | None = None
    status: int | None = None
    address: str | None = None
    error: str | None = None


class RegistrationLoad:
    """Each client sends one registration at a time and stops at its first connection error
    (the service stopped listening), after `max_per_client` requests or after `max_seconds`."""

    def __init__(
        self, base_url: str, clients: int, max_per_client: int = 2000, max_seconds: float = 60.0
    ) -> None:
        self._url = f"{base_url}/register"
        self._max_per_client = max_per_client
        self._deadline = time.monotonic() + max_seconds
        self._stopping = False
        self.attempts: list[Attempt] = []
        self._threads = [threading.Thread(target=self._client) for _ in range(clients)]

    def start(self) -> "RegistrationLoad":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def registered(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == 202]

    def unanswered(self) -> list[Attempt]:
        return [a for a in self.attempts if a.finished is None]

    def in_flight_at(self, moment: float) -> list[Attempt]:
        return [
            a
            for a in self.attempts
            if a.started < moment and (a.finished is None or a.finished > moment)
        ]

    def _client(self) -> None:
        for _ in range(self._max_per_client):
            if self._stopping or time.monotonic() > self._deadline:
                return
            attempt = Attempt(started=time.monotonic())
            self.attempts.append(attempt)
            address = attempt.address = f"load-{uuid.uuid4().hex}@example.com"
            try:
                response = requests.post(self._url, json={"email": address}, timeout=60)
            except requests.ConnectionError as error:
                attempt.error = type(error).__name__
                attempt.finished = time.monotonic()
                return
            attempt.status = response.status_code
            attempt.finished = time.monotonic()


class EventCapture:
    """An exclusive queue bound to the events a sign-up stores (ConfirmationRequested); it goes
    away with the connection."""

    def __init__(self, amqp_uri: str) -> None:
        self._connection = connection_to(amqp_uri)
        self._connection.connect()
        channel = self._connection.channel()
        channel.exchange_declare(EVENTS_EXCHANGE, "topic", durable=True, auto_delete=False)
        name = f"test-shutdown-{uuid.uuid4().hex}"
        channel.queue_declare(name, exclusive=True, auto_delete=True)
        channel.queue_bind(name, EVENTS_EXCHANGE, "ConfirmationRequested")
        channel.basic_consume(name, callback=self._receive, no_ack=True)
        self.events: dict[str, dict] = {}  # by event_id: a redelivery counts once

    def _receive(self, message: amqp.Message) -> None:
        body = json.loads(message.body)
        self.events[body["event_id"]] = body

    def entry_ids(self) -> set[str]:
        return {event["entry_id"] for event in self.events.values()}

    def wait_for_entries(self, entry_ids: set[str], timeout: float) -> set[str]:
        """Receive until every one of these entries has its event; returns those still missing."""
        deadline = time.monotonic() + timeout
        while (missing := entry_ids - self.entry_ids()) and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                self._connection.drain_events(timeout=0.2)
        return missing

    def close(self) -> None:
        self._connection.close()
