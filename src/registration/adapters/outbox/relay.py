import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from registration.adapters.outbox.message_sink import MessageSink
from registration.adapters.outbox.store import OutboxStore
from registration.application.errors import StorageUnavailable
from registration.infrastructure import metrics

log = logging.getLogger(__name__)


class Backoff:
    def __init__(self, initial: float = 0.2, maximum: float = 5.0) -> None:
        self._initial, self._maximum = initial, maximum
        self._current = initial

    def next_delay(self) -> float:
        delay = self._current
        self._current = min(self._current * 2, self._maximum)
        return delay

    def reset(self) -> None:
        self._current = self._initial


class RelayState:
    """How the relay's rounds go, for /health and /metrics."""

    def __init__(self) -> None:
        self.last_success_at: float | None = None  # time.time()
        self.failing_since: float | None = None
        self.last_error: str | None = None

    def succeeded(self) -> None:
        self.last_success_at, self.failing_since, self.last_error = time.time(), None, None
        metrics.RELAY_LAST_SUCCESS.set(self.last_success_at)

    def failed(self, error: str) -> None:
        self.failing_since = self.failing_since or time.time()
        self.last_error = error

    def as_check(self) -> dict[str, object]:
        if self.failing_since is None:
            return {"status": "ok", "last_success_at": _iso(self.last_success_at)}
        return {
            "status": "failing",
            "failing_since": _iso(self.failing_since),
            "last_success_at": _iso(self.last_success_at),
            "detail": self.last_error,
        }


def _iso(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()


class OutboxRelay:
    """Moves pending outbox rows to the broker, oldest first, marking each only once confirmed.

    Woken right after a commit; polls every `poll_seconds` as a fallback (another instance's
    rows, a missed wake-up, rows left by a crash); backs off while the broker or database is down.
    Safe to run in several processes at once: claims skip rows another relay holds. It only
    publishes: pruning what it published runs on a loop of its own (entrypoints/pruning.py).
    """

    def __init__(
        self,
        store: OutboxStore,
        sink: MessageSink,
        *,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        gather_seconds: float = 0.02,
        before_round: Callable[[], object] | None = None,
    ) -> None:
        self._store = store
        self._sink = sink
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._gather = gather_seconds
        # Runs before each round's claims; the service undoes writes it answered 503 for here,
        # before the relay could publish their events.
        self._before_round = before_round
        self.state = RelayState()
        self._wake = threading.Event()
        self._running = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._running = False
        self._wake.set()

    def run(self) -> None:
        self._running = True
        backoff = Backoff()
        while self._running:
            self._wake.clear()
            try:
                self.relay_pending()
                backoff.reset()
                self.state.succeeded()
            except Exception as error:
                delay = backoff.next_delay()
                metrics.RELAY_FAILURES.inc()
                self.state.failed(_describe(error))
                log.warning("outbox relay failed, retrying in %.1fs: %s", delay, _describe(error))
                time.sleep(delay)
                continue
            if self._wake.wait(self._poll_seconds) and self._gather:
                # Under load commits come every few ms: waiting a moment lets one round carry
                # many of them, far cheaper per event, at a small cost in latency.
                time.sleep(self._gather)
            self._sink.keep_alive()

    def relay_pending(self) -> int:
        """Publish every pending row, batch by batch; returns how many were published."""
        if self._before_round is not None:
            self._before_round()
        published = 0
        while True:
            with self._store.claim_pending(self._batch_size) as messages:
                if messages:
                    self._sink.publish(messages)
            published += len(messages)
            metrics.RELAY_PUBLISHED.inc(len(messages))
            if messages and log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "published %d outbox events",
                    len(messages),
                    extra={"event_ids": [str(m.event_id) for m in messages]},
                )
            if len(messages) < self._batch_size:
                return published


def _describe(error: Exception) -> str:
    if isinstance(error, StorageUnavailable):
        return "database unavailable"
    return f"{type(error).__name__}: {error}"
