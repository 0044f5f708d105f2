"""An event handler that neither drops failed events nor retries them in a hot loop.

nameko's `@event_handler` acks (loses) a message whose handler raised, or with
`requeue_on_error` hands it straight back, forever. This one, on the same durable SERVICE_POOL
queue nameko would declare:
- body not UTF-8 JSON, or the handler raised one of `unretryable`: dead-letter queue at once;
- the handler raised anything else: republish to the delay queue for this attempt (confirmed),
  which dead-letters it back to the work queue when its TTL ends; after the last attempt, to the
  dead-letter queue with the error in a header;
- only then the original is acked. If republishing fails, it is requeued after a pause.
"""

import json
import logging

import eventlet
from nameko.amqp.publish import get_connection
from nameko.constants import AMQP_SSL_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.events import SERVICE_POOL, EventHandler
from nameko.exceptions import ContainerBeingKilled

from service_kit.address_masking import mask_addresses
from welcome import bootstrap
from welcome.entrypoints.delivery import ATTEMPT_HEADER, Delivery
from welcome.entrypoints.dependencies import MetricsKeeper
from welcome.entrypoints.message_rerouter import MessageRerouter
from welcome.entrypoints.raw_queue_consumer import RawQueueConsumer
from welcome.entrypoints.retry_topology import RetryTopology
from welcome.event_log import EventLog

_log = logging.getLogger(__name__)

REASON_HEADER = "x-dead-letter-reason"
ERROR_HEADER = "x-error"
ORIGINAL_QUEUE_HEADER = "x-original-queue"
REROUTE_FAILURE_PAUSE_SECONDS = 1.0
_MAX_ERROR_LENGTH = 1000


class ReliableEventHandler(EventHandler):
    queue_consumer = RawQueueConsumer()
    metrics_keeper = MetricsKeeper()

    def __init__(self, source_service, event_type, unretryable=(), **kwargs):
        self.unretryable = unretryable
        super().__init__(
            source_service,
            event_type,
            handler_type=SERVICE_POOL,
            reliable_delivery=True,
            requeue_on_error=False,
            **kwargs,
        )

    def setup(self):
        super().setup()  # names and registers the work queue, as nameko's handler does
        config = self.container.config
        self.topology = RetryTopology.around(
            work_queue_name=self.queue.name,
            service_name=self.container.service_name,
            method_name=self.method_name,
            delays_seconds=bootstrap.retry_delays_seconds(config),
            queue_type=bootstrap.queue_type(config),
        )
        # nameko declares the work queue again when its consumer starts: with these arguments
        self.queue.queue_arguments = self.topology.work_queue_arguments
        ssl = config.get(AMQP_SSL_CONFIG_KEY)
        self.rerouter = MessageRerouter(
            self.queue_consumer.amqp_uri, ssl, config.get(LOGIN_METHOD_CONFIG_KEY)
        )
        with get_connection(self.queue_consumer.amqp_uri, ssl) as connection:
            self.topology.declare(connection.default_channel, self.queue)

    def handle_message(self, body, message):
        try:
            payload = json.loads(message.body)
        except (TypeError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            self._dead_letter(message, Delivery.of(message), "undecodable", exc)
            return
        try:
            self.container.spawn_worker(
                self,
                (payload,),
                {},
                context_data=self.unpack_message_headers(message),
                handle_result=lambda worker_ctx, result, exc_info: self._handle_result(
                    message, payload, result, exc_info
                ),
            )
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def _handle_result(self, message, payload, result, exc_info):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return result, exc_info
        error = exc_info[1]
        delivery = Delivery.of(message, payload)
        if isinstance(error, self.unretryable):
            self._dead_letter(message, delivery, "rejected", error)
        else:
            self._retry_or_dead_letter(message, delivery, error)
        return result, exc_info

    def _retry_or_dead_letter(self, message, delivery, error):
        delay_queue = self.topology.delay_queue_after(delivery.attempt)
        if delay_queue is None:
            self._dead_letter(message, delivery, "attempts-exhausted", error)
            return
        log = EventLog(_log, delivery.event_id, delivery.request_id)
        next_attempt = delivery.attempt + 1
        if self._reroute_then_ack(message, delivery, delay_queue, {ATTEMPT_HEADER: next_attempt}):
            self.metrics_keeper.metrics.retried.inc()
            log.warning(
                "attempt %d of %d failed (%s); attempt %d after %s ms in %s",
                delivery.attempt,
                self.topology.max_attempts,
                _describe(error),
                next_attempt,
                delay_queue.queue_arguments["x-message-ttl"],
                delay_queue.name,
            )

    def _dead_letter(self, message, delivery, reason, error):
        queue = self.topology.dead_letter_queue
        headers = {
            REASON_HEADER: reason,
            ERROR_HEADER: _describe(error),
            ATTEMPT_HEADER: delivery.attempt,
            ORIGINAL_QUEUE_HEADER: self.topology.work_queue_name,
        }
        if self._reroute_then_ack(message, delivery, queue, headers):
            self.metrics_keeper.metrics.dead_lettered.inc()
            EventLog(_log, delivery.event_id, delivery.request_id).error(
                "event dead-lettered to %s after attempt %d (%s): %s",
                queue.name,
                delivery.attempt,
                reason,
                headers[ERROR_HEADER],
            )

    def _reroute_then_ack(self, message, delivery, queue, headers):
        try:
            self.rerouter.reroute(message, queue, headers)
        except Exception:
            EventLog(_log, delivery.event_id, delivery.request_id).exception(
                "could not move the event to %s; returning it to %s in %s s",
                queue.name,
                self.topology.work_queue_name,
                REROUTE_FAILURE_PAUSE_SECONDS,
            )
            # a pause, so a broker that refuses the copy does not get the original in a hot loop
            eventlet.sleep(REROUTE_FAILURE_PAUSE_SECONDS)
            self.queue_consumer.requeue_message(message)
            return False
        self.queue_consumer.ack_message(message)
        return True


def _describe(error):
    text = f"{type(error).__name__}: {error}"
    return mask_addresses(text)[:_MAX_ERROR_LENGTH]


reliable_event_handler = ReliableEventHandler.decorator
