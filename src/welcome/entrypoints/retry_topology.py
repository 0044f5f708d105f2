"""The queues around one work queue that turn a failure into a delayed retry or a dead letter.

    work queue --(handler fails, attempt n)--> <service>.<method>.retry.<delay>ms
        (durable, x-message-ttl = delay, dead-letters to "" / work queue) --> work queue
    work queue --(poison, or the last attempt failed)--> <service>.dead_letter (durable)

One delay queue per configured delay, each with a queue-wide TTL: a per-message TTL in one
shared queue would hold a short delay behind a longer one at the head. The delay is part of
the queue's name, so changing RETRY_DELAYS_SECONDS declares new queues instead of redeclaring
old ones with other arguments (which RabbitMQ refuses with PRECONDITION_FAILED).
"""

from dataclasses import dataclass

from kombu import Queue


def delay_queue_name(service_name: str, method_name: str, delay_seconds: float) -> str:
    return f"{service_name}.{method_name}.retry.{_milliseconds(delay_seconds)}ms"


def dead_letter_queue_name(service_name: str) -> str:
    return f"{service_name}.dead_letter"


@dataclass(frozen=True)
class RetryTopology:
    work_queue_name: str
    delay_queues: tuple[Queue, ...]
    dead_letter_queue: Queue

    @classmethod
    def around(
        cls,
        work_queue_name: str,
        service_name: str,
        method_name: str,
        delays_seconds: tuple[float, ...],
    ) -> "RetryTopology":
        delay_queues = tuple(
            Queue(
                delay_queue_name(service_name, method_name, delay),
                durable=True,
                queue_arguments={
                    "x-message-ttl": _milliseconds(delay),
                    # back through the default exchange, straight into the work queue
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": work_queue_name,
                },
            )
            for delay in delays_seconds
        )
        dead_letter_queue = Queue(dead_letter_queue_name(service_name), durable=True)
        return cls(work_queue_name, delay_queues, dead_letter_queue)

    @property
    def max_attempts(self) -> int:
        return len(self.delay_queues) + 1

    def delay_queue_after(self, failed_attempt: int) -> Queue | None:
        """Where a message waits after attempt `failed_attempt` failed; None: no attempts left."""
        if failed_attempt > len(self.delay_queues):
            return None
        return self.delay_queues[failed_attempt - 1]

    def declare(self, channel: object) -> None:
        for queue in (*self.delay_queues, self.dead_letter_queue):
            queue.bind(channel).declare()


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))
