"""Records every event of one type (by default the one a registration announces) of one test
run, straight from RabbitMQ (never through a proxy), on an exclusive queue bound before any load
starts.

On a shared broker other suites and benchmarks may publish thousands of events a second to the
same exchange. The consumer therefore runs as its own process (`python -m
tests.support.fault.event_collector AMQP_URI PREFIX ROUTING_KEY`) that drops every event whose
address lacks the run's prefix and prints the rest as JSON lines, so a flood of foreign events can
never starve the test process that measures latencies.
"""

import contextlib
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import amqp

from tests.support.broker import connection_to
from tests.support.fault import ANNOUNCED_EVENT

REPOSITORY = Path(__file__).resolve().parents[3]
EXCHANGE = "nameko_registration_service.events"


@dataclass(frozen=True)
class ReceivedEvent:
    event_id: str
    entry_id: str
    email: str
    message_id: str | None
    headers: dict[str, Any]
    body: dict[str, Any]
    received_at: float  # time.monotonic(): one clock for every process on Linux


class EventCollector:
    """The test's side: starts the consumer process and gathers what it reports."""

    def __init__(
        self, amqp_uri: str, email_prefix: str, routing_key: str = ANNOUNCED_EVENT
    ) -> None:
        self.events: list[ReceivedEvent] = []
        module = "tests.support.fault.event_collector"
        self._process = subprocess.Popen(
            [sys.executable, "-m", module, amqp_uri, email_prefix, routing_key],
            cwd=REPOSITORY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self._process.stdout.readline().split()  # type: ignore[union-attr]
        if first[:1] != ["bound"]:
            self._process.kill()
            raise RuntimeError(f"the event collector did not start: {first}")
        self.queue = first[1]
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # Keyed by address: it is all a client of POST /register knows of its registration, and
    # every address of a run is a new one, so it names one entry.
    def by_address(self) -> dict[str, list[ReceivedEvent]]:
        grouped: dict[str, list[ReceivedEvent]] = {}
        for event in list(self.events):
            grouped.setdefault(event.email, []).append(event)
        return grouped

    def first_arrivals(self) -> dict[str, float]:
        """address -> when its first event arrived."""
        return {
            address: min(e.received_at for e in events)
            for address, events in self.by_address().items()
        }

    def wait_for_addresses(self, addresses: set[str], timeout: float) -> bool:
        """Poll until every address has at least one event; False if the time ran out first."""
        return self._wait_until(lambda: addresses <= self.by_address().keys(), timeout)

    def wait_for_entries(self, entry_ids: set[str], timeout: float) -> bool:
        """The same by entry id, for events that carry no address (`EntryErased`)."""
        return self._wait_until(lambda: entry_ids <= {e.entry_id for e in self.events}, timeout)

    def _wait_until(self, done: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._raise_if_stopped()
            if done():
                return True
            time.sleep(0.1)
        return done()

    def wait_for_any(self, addresses: set[str], timeout: float) -> str | None:
        """Poll until one of the addresses has an event; which one, or None if none in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._raise_if_stopped()
            if seen := addresses & self.by_address().keys():
                return next(iter(seen))
            time.sleep(0.05)
        return None

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()  # type: ignore[union-attr]
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._reader.join(timeout=5)

    def _read(self) -> None:
        for line in self._process.stdout:  # type: ignore[union-attr]
            self.events.append(ReceivedEvent(**json.loads(line)))

    def _raise_if_stopped(self) -> None:
        if self._process.poll() is not None:
            raise RuntimeError(f"the event collector exited with {self._process.returncode}")


def collect(amqp_uri: str, email_prefix: str, routing_key: str) -> None:
    """The consumer process: report this run's events until stdin ends, then clean up."""
    connection = connection_to(amqp_uri)
    connection.connect()
    channel = connection.channel()
    queue = f"fault-events-{uuid.uuid4().hex}"
    # The same declaration as the service's, so whichever comes first creates it.
    channel.exchange_declare(EXCHANGE, "topic", durable=True, auto_delete=False)
    channel.queue_declare(queue, exclusive=True, auto_delete=True)
    channel.queue_bind(queue, EXCHANGE, routing_key)

    def record(message: amqp.Message) -> None:
        # py-amqp hands over text when the message declares its content encoding, else bytes.
        text = (
            message.body
            if isinstance(message.body, str)
            else message.body.decode("utf-8", "replace")
        )
        if email_prefix not in text:  # someone else's event: skip it before any parsing
            return
        try:
            body = json.loads(text)
        except ValueError:  # ours, yet unreadable: reported so the contract check flags it
            body = {"unreadable": text[:300]}
        report = {
            "event_id": str(body.get("event_id")),
            "entry_id": str(body.get("entry_id")),
            "email": str(body.get("email")),
            "message_id": message.properties.get("message_id"),
            "headers": dict(message.properties.get("application_headers") or {}),
            "body": body,
            "received_at": time.monotonic(),
        }
        sys.stdout.write(json.dumps(report) + "\n")
        sys.stdout.flush()

    # Auto-acknowledged: a private, temporary queue gains nothing from acks but their cost.
    consumer_tag = channel.basic_consume(queue, callback=record, no_ack=True)
    sys.stdout.write(f"bound {queue}\n")
    sys.stdout.flush()

    stopping = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stopping.set()), daemon=True).start()
    try:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                connection.drain_events(timeout=0.2)
    finally:
        # Cancelled first: deleting a queue under its consumer makes the broker cancel it, which
        # py-amqp raises while the connection closes.
        channel.basic_cancel(consumer_tag)
        channel.queue_delete(queue)
        connection.close()


if __name__ == "__main__":
    collect(sys.argv[1], sys.argv[2], sys.argv[3])
