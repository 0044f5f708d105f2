"""Republishes a received message, unchanged but for its headers, to a queue of our own through
the exchange it is bound to."""

from typing import Any

from kombu import Queue
from nameko.amqp.publish import get_producer
from nameko.constants import DEFAULT_RETRY_POLICY

# Copied as they came; anything else (expiration, user_id, ...) would change the message's fate.
_KEPT_PROPERTIES = ("message_id", "type", "timestamp", "correlation_id", "app_id")
# RabbitMQ owns these; a client that republishes them confuses the next dead-lettering.
_BROKER_HEADERS = ("x-death", "x-first-death-", "x-last-death-")
_TIMEOUT_SECONDS = 10


class MessageRerouter:
    def __init__(self, amqp_uri: str, ssl: Any = None, login_method: str | None = None) -> None:
        self._amqp_uri = amqp_uri
        self._ssl = ssl
        self._login_method = login_method

    def reroute(self, message: Any, queue: Queue, headers: dict[str, Any]) -> None:
        """Publish a copy to `queue` and return once the broker confirmed it; raise if not."""
        properties = message.properties or {}
        with get_producer(
            self._amqp_uri, confirms=True, ssl=self._ssl, login_method=self._login_method
        ) as producer:
            # Declared on every reroute (rare by nature): a queue deleted meanwhile comes back
            # instead of the copy vanishing.
            queue.bind(producer.channel).declare()
            producer.publish(
                message.body,
                exchange=queue.exchange.name,
                routing_key=queue.routing_key,
                headers={**_own_headers(message.headers or {}), **headers},
                content_type=message.content_type or "application/octet-stream",
                content_encoding=message.content_encoding or "binary",
                delivery_mode=2,
                # unroutable copies raise instead of being dropped
                mandatory=True,
                retry=True,
                retry_policy=DEFAULT_RETRY_POLICY,
                timeout=_TIMEOUT_SECONDS,
                confirm_timeout=_TIMEOUT_SECONDS,
                **{key: properties[key] for key in _KEPT_PROPERTIES if properties.get(key)},
            )


def _own_headers(headers: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in headers.items() if not key.startswith(_BROKER_HEADERS)}
