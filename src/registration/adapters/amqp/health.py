import time

from registration.adapters.amqp.connection import open_connection
from registration.infrastructure.settings import BrokerSettings


class BrokerProbe:
    """Answers whether the broker accepts connections; remembered briefly so health checks
    under load do not open a connection each."""

    def __init__(
        self, broker: BrokerSettings, timeout_seconds: float = 2.0, remember_seconds: float = 2.0
    ):
        self._broker = broker
        self._timeout = timeout_seconds
        self._remember = remember_seconds
        self._checked_at = float("-inf")
        self._last: str | None = None

    def problem(self) -> str | None:
        """None when reachable, else a short description of what failed."""
        now = time.monotonic()
        if now - self._checked_at >= self._remember:
            self._last = self._probe()
            self._checked_at = time.monotonic()
        return self._last

    def _probe(self) -> str | None:
        try:
            open_connection(self._broker, self._timeout).close()
        except Exception as error:
            return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return None
