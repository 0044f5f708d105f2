"""RabbitMQ's own delivery limit on a quorum work queue dead-letters into our queue, never drops.

Our retries ack the original and send a new message, so they never count towards the limit; what
does count is a message handed back again and again (a subscriber that keeps crashing with it, a
broker that refuses our copy). Proven here on the machine's broker with queues of unique names.
"""

import time
import uuid

import pytest
from kombu import Connection, Queue

from tests.support.queues import delete_exchange, delete_queues
from welcome.entrypoints.retry_topology import DELIVERY_LIMIT, RetryTopology

pytestmark = pytest.mark.integration


@pytest.fixture
def topology(amqp_uri):
    tag = uuid.uuid4().hex[:10]
    work_queue = f"test_welcome_{tag}.work"
    topology = RetryTopology.around(
        work_queue, f"test_welcome_{tag}", "handle", (0.2,), queue_type="quorum"
    )
    yield topology
    delete_queues(
        amqp_uri,
        [work_queue, topology.dead_letter_queue.name, *(q.name for q in topology.delay_queues)],
    )
    delete_exchange(amqp_uri, topology.work_queue_binding.exchange.name)


def test_a_message_handed_back_past_the_limit_lands_in_the_dead_letter_queue(amqp_uri, topology):
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        topology.declare(
            channel,
            Queue(
                topology.work_queue_name,
                durable=True,
                queue_arguments=topology.work_queue_arguments,
            ),
        )
        channel.basic_publish(
            channel.prepare_message(b"{}", properties={"message_id": "m-1", "delivery_mode": 2}),
            exchange="",
            routing_key=topology.work_queue_name,
        )

        handed_back = 0
        while (message := _get(channel, topology.work_queue_name)) is not None:
            assert handed_back <= DELIVERY_LIMIT, "the broker kept the message past its limit"
            channel.basic_reject(message.delivery_tag, requeue=True)
            handed_back += 1

        dead = _get(channel, topology.dead_letter_queue.name)
        assert dead is not None, "the message was dropped"
        assert dead.properties["message_id"] == "m-1"
        assert handed_back >= DELIVERY_LIMIT, handed_back
        channel.basic_ack(dead.delivery_tag)
        channel.close()


def _get(channel, queue: str):
    """basic_get, retried briefly: a requeued or dead-lettered message takes a moment to appear."""
    for _ in range(50):
        if (message := channel.basic_get(queue, no_ack=False)) is not None:
            return message
        time.sleep(0.02)
    return None
