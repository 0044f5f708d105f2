"""Secondary port of the outbox relay: where stored messages go. The seam for another broker."""

from collections.abc import Sequence
from typing import Protocol

from registration.adapters.sql.outbox_rows import PendingMessage


class MessageSink(Protocol):
    def publish(self, messages: Sequence[PendingMessage]) -> None:
        """Return only once the broker has taken every message for good (persisted, confirmed);
        raise if it did not. The relay then marks them sent; after a raise they stay pending and
        go out again later with the same `event_id`, so at least once, never lost.

        Each message leaves as-is: `payload` is the exact body, `event_type` the routing key,
        `event_id` the message id, `request_id` a header for tracing.
        """

    def close(self) -> None:
        """Let go of the connection; a later publish opens a new one."""

    def keep_alive(self) -> None:
        """Called between rounds, however idle: keep the connection to the broker alive
        (heartbeats) and drop one that went silent, so no batch starts on a dead link."""
