"""The queues around one work queue that turn a failure into a delayed retry or a dead letter.

    work queue --(handler fails, attempt n)--> <service>.<method>.delay.<delay>ms
        (durable, x-message-ttl = delay, dead-letters to <service>.retry) --> work queue
    work queue --(poison, or the last attempt failed)--> <service>.dead_letter (durable)

Every move goes through `<service>.retry`, a direct exchange of the service's own where each of
these queues, the work queue included, is bound under its own name; never through the default
exchange. A broker user that may publish to the default exchange (or name it as a queue's
dead-letter exchange) may put a message into any queue of the broker, the registration
service's RPC queue included, and the welcome service's user is kept out of it
(deploy/rabbitmq/definitions.json).

One delay queue per configured delay, each with a queue-wide TTL: a per-message TTL in one
shared queue would hold a short delay behind a longer one at the head. The delay is part of
the queue's name, so changing RETRY_DELAYS_SECONDS declares new queues instead of redeclaring
old ones with other arguments (which RabbitMQ refuses with PRECONDITION_FAILED).

WELCOME_QUEUE_TYPE chooses classic queues (the default: what a broker already holds stays
valid, as a classic queue cannot be redeclared as quorum) or quorum queues (replicated, for a
cluster). A quorum queue gives up on a message after DELIVERY_LIMIT deliveries (RabbitMQ 4
defaults to 20, set here so 3.x behaves alike); the work queue then dead-letters it into the
dead-letter queue instead of dropping it. Our own retries do not count: each one is a new
message. Quorum queues dead-letter at least once, so a message moved by the broker is confirmed
where it lands.
"""

from dataclasses import dataclass, field
from typing import Any

from kombu import Exchange, Queue, binding

CLASSIC, QUORUM = "classic", "quorum"
QUEUE_TYPES = (CLASSIC, QUORUM)
DELIVERY_LIMIT = 20


def queue_arguments(queue_type: str, **arguments: Any) -> dict[str, Any]:
    """`arguments` for a queue of `queue_type`; quorum queues dead-letter at least once."""
    if queue_type == CLASSIC:
        return arguments
    quorum: dict[str, Any] = {"x-queue-type": QUORUM, **arguments}
    if "x-dead-letter-exchange" in arguments:
        # at-least-once dead-lettering requires the queue to refuse, not drop, on overflow
        quorum |= {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}
    return quorum


def delay_queue_name(service_name: str, method_name: str, delay_seconds: float) -> str:
    return f"{service_name}.{method_name}.delay.{_milliseconds(delay_seconds)}ms"


def dead_letter_queue_name(service_name: str) -> str:
    return f"{service_name}.dead_letter"


def retry_exchange_name(service_name: str) -> str:
    return f"{service_name}.retry"


@dataclass(frozen=True)
class RetryTopology:
    work_queue_name: str
    delay_queues: tuple[Queue, ...]
    dead_letter_queue: Queue
    # the work queue's binding besides nameko's one to the registration events
    work_queue_binding: binding
    work_queue_arguments: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def around(
        cls,
        work_queue_name: str,
        service_name: str,
        method_name: str,
        delays_seconds: tuple[float, ...],
        queue_type: str = CLASSIC,
    ) -> "RetryTopology":
        if queue_type not in QUEUE_TYPES:
            raise ValueError(f"WELCOME_QUEUE_TYPE must be one of {QUEUE_TYPES}, not {queue_type!r}")
        exchange = Exchange(retry_exchange_name(service_name), type="direct", durable=True)
        delay_queues = tuple(
            _bound(
                exchange,
                delay_queue_name(service_name, method_name, delay),
                queue_arguments=queue_arguments(
                    queue_type,
                    **{
                        "x-message-ttl": _milliseconds(delay),
                        # back into the work queue
                        "x-dead-letter-exchange": exchange.name,
                        "x-dead-letter-routing-key": work_queue_name,
                    },
                ),
            )
            for delay in delays_seconds
        )
        dead_letter_name = dead_letter_queue_name(service_name)
        dead_letter_queue = _bound(
            exchange, dead_letter_name, queue_arguments=queue_arguments(queue_type)
        )
        work_queue_arguments = (
            queue_arguments(
                queue_type,
                **{
                    "x-delivery-limit": DELIVERY_LIMIT,
                    "x-dead-letter-exchange": exchange.name,
                    "x-dead-letter-routing-key": dead_letter_name,
                },
            )
            if queue_type == QUORUM
            else {}
        )
        return cls(
            work_queue_name,
            delay_queues,
            dead_letter_queue,
            binding(exchange, routing_key=work_queue_name),
            work_queue_arguments,
        )

    @property
    def max_attempts(self) -> int:
        return len(self.delay_queues) + 1

    def delay_queue_after(self, failed_attempt: int) -> Queue | None:
        """Where a message waits after attempt `failed_attempt` failed; None: no attempts left."""
        if failed_attempt > len(self.delay_queues):
            return None
        return self.delay_queues[failed_attempt - 1]

    def declare(self, channel: object, work_queue: Queue) -> None:
        """Declare these queues and `work_queue` (as nameko will), bound where its retries
        come from."""
        for queue in (*self.delay_queues, self.dead_letter_queue, work_queue):
            queue.bind(channel).declare()
        self.work_queue_binding.bind(work_queue.bind(channel), channel=channel)


def _bound(exchange: Exchange, name: str, queue_arguments: dict[str, Any]) -> Queue:
    return Queue(name, exchange, routing_key=name, durable=True, queue_arguments=queue_arguments)


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))
