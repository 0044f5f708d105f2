"""The delay and dead-letter queues around the work queue."""

import pytest

from welcome.entrypoints.retry_topology import RetryTopology

pytestmark = pytest.mark.unit

WORK_QUEUE = "evt-src-Type--svc.method"


def topology(delays=(1.0, 5.0, 30.0)) -> RetryTopology:
    return RetryTopology.around(WORK_QUEUE, "svc", "method", delays)


def test_each_delay_has_its_own_queue_named_after_it():
    names = [queue.name for queue in topology().delay_queues]

    assert names == [
        "svc.method.delay.1000ms",
        "svc.method.delay.5000ms",
        "svc.method.delay.30000ms",
    ]


def test_a_delay_queue_holds_messages_for_its_delay_then_returns_them_to_the_work_queue():
    queue = topology().delay_queues[1]

    assert queue.durable
    assert queue.queue_arguments == {
        "x-message-ttl": 5000,
        "x-dead-letter-exchange": "svc.retry",
        "x-dead-letter-routing-key": WORK_QUEUE,
    }


def test_every_queue_is_reached_through_the_services_own_exchange_under_its_name():
    """Never the default exchange, which reaches every queue of the broker."""
    retries = topology()
    queues = (*retries.delay_queues, retries.dead_letter_queue)

    assert {(queue.exchange.name, queue.exchange.type) for queue in queues} == {
        ("svc.retry", "direct")
    }
    assert all(queue.routing_key == queue.name for queue in queues)
    assert retries.work_queue_binding.exchange.name == "svc.retry"
    assert retries.work_queue_binding.routing_key == WORK_QUEUE


def test_the_dead_letter_queue_is_durable_and_named_after_the_service():
    queue = topology().dead_letter_queue

    assert (queue.name, queue.durable) == ("svc.dead_letter", True)


def test_failed_attempts_wait_in_the_delay_queues_in_order_until_none_is_left():
    retry = topology()

    waits = [retry.delay_queue_after(attempt) for attempt in (1, 2, 3, 4)]

    assert [queue.name if queue else None for queue in waits] == [
        "svc.method.delay.1000ms",
        "svc.method.delay.5000ms",
        "svc.method.delay.30000ms",
        None,
    ]
    assert retry.max_attempts == 4


def test_without_delays_the_first_failure_is_the_last():
    assert topology(()).delay_queue_after(1) is None


def quorum_topology() -> RetryTopology:
    return RetryTopology.around(WORK_QUEUE, "svc", "method", (1.0,), queue_type="quorum")


def test_classic_is_the_default_and_leaves_the_work_queue_as_nameko_declares_it():
    assert topology().work_queue_arguments == {}
    assert not topology().dead_letter_queue.queue_arguments


def test_in_quorum_mode_every_queue_is_a_quorum_queue():
    queues = [*quorum_topology().delay_queues, quorum_topology().dead_letter_queue]

    assert all(queue.queue_arguments["x-queue-type"] == "quorum" for queue in queues)
    assert quorum_topology().work_queue_arguments["x-queue-type"] == "quorum"


def test_in_quorum_mode_a_message_past_the_delivery_limit_goes_to_the_dead_letter_queue():
    arguments = quorum_topology().work_queue_arguments

    assert arguments["x-delivery-limit"] == 20
    assert (arguments["x-dead-letter-exchange"], arguments["x-dead-letter-routing-key"]) == (
        "svc.retry",
        "svc.dead_letter",
    )
    assert arguments["x-dead-letter-strategy"] == "at-least-once"


def test_in_quorum_mode_a_delay_queue_returns_its_messages_at_least_once():
    arguments = quorum_topology().delay_queues[0].queue_arguments

    assert arguments["x-dead-letter-routing-key"] == WORK_QUEUE
    assert (arguments["x-dead-letter-strategy"], arguments["x-overflow"]) == (
        "at-least-once",
        "reject-publish",
    )


def test_an_unknown_queue_type_is_refused():
    with pytest.raises(ValueError, match="WELCOME_QUEUE_TYPE"):
        RetryTopology.around(WORK_QUEUE, "svc", "method", (1.0,), queue_type="stream")
