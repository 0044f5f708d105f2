"""Fail fast for a moment once the database has failed to answer.

Without it every request waits out the whole deadline (DATABASE_TIMEOUT_SECONDS) while holding
one of nameko's `max_workers`; when more requests arrive than there are workers, those queued
behind wait for a worker *and* then for the deadline, well past the 5 s in which the API promises
its 503 (and health checks queue the same way). After a call waited out its deadline, calls fail
at once for `cool_down_seconds`; the first calls after it try the database again.

Only a wait trips it. A call that fails at once (a refused connection, a pooled connection the
server had closed) holds no worker for long, and tripping on it would turn one stale connection
into a second of 503s for every request.
"""

import time

from registration.adapters.sql.unacknowledged import NothingSent


class CircuitOpen(NothingSent):
    """Refused without trying: nothing was sent to the database."""


class CircuitBreaker:
    def __init__(self, cool_down_seconds: float = 1.0) -> None:
        self._cool_down = cool_down_seconds
        self._open_until = float("-inf")

    def check(self) -> None:
        """Raise StorageUnavailable while a recent failure keeps the breaker open."""
        if time.monotonic() < self._open_until:
            raise CircuitOpen("The database is not reachable.")

    def trip(self) -> None:
        self._open_until = time.monotonic() + self._cool_down
