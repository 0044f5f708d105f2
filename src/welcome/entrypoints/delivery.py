"""What the subscriber reads from an AMQP message besides its body."""

from dataclasses import dataclass
from typing import Any

from welcome.event_log import safe_id

REQUEST_ID_HEADER = "x-request-id"
# Number of the delivery attempt a message stands for; absent on the first one.
ATTEMPT_HEADER = "x-attempt"


@dataclass(frozen=True)
class Delivery:
    event_id: str | None
    request_id: str | None
    attempt: int

    @classmethod
    def of(cls, message: Any, payload: Any = None) -> "Delivery":
        headers = message.headers or {}
        event_id = payload.get("event_id") if isinstance(payload, dict) else None
        if not isinstance(event_id, str):
            event_id = message.properties.get("message_id")
        return cls(
            event_id=safe_id(event_id),
            request_id=safe_id(headers.get(REQUEST_ID_HEADER)),
            attempt=_attempt(headers.get(ATTEMPT_HEADER)),
        )


def _attempt(value: Any) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
