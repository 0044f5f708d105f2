"""The subscriber's queue consumer: undecoded delivery, bounded prefetch (kombu at the edge faked)."""

from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from kombu import Queue

from welcome.entrypoints.raw_queue_consumer import RawQueueConsumer

pytestmark = pytest.mark.adapter


class RecordingKombuConsumer:
    def __init__(self, queues, on_message, on_decode_error):
        self.queues = queues
        self.on_message = on_message
        self.on_decode_error = on_decode_error
        self.prefetch_count = None

    def qos(self, prefetch_count):
        self.prefetch_count = prefetch_count


@pytest.fixture
def consumer_and_provider():
    container = Mock(max_workers=3, shared_extensions={}, config={})
    consumer = RawQueueConsumer().bind(container)
    provider = Mock(queue=Queue("work"))
    consumer._providers = {provider}
    return consumer, provider, container


def test_prefetch_is_bounded_by_the_worker_count(consumer_and_provider):
    consumer, _, _ = consumer_and_provider

    (kombu_consumer,) = consumer.get_consumers(RecordingKombuConsumer, channel=None)

    assert kombu_consumer.prefetch_count == 3


def test_messages_reach_the_entrypoint_undecoded(consumer_and_provider):
    consumer, provider, container = consumer_and_provider
    (kombu_consumer,) = consumer.get_consumers(RecordingKombuConsumer, channel=None)
    message = SimpleNamespace(body=b"{not json", delivery_info={"routing_key": "work"})

    kombu_consumer.on_message(message)
    (spawned,), _ = container.spawn_managed_thread.call_args
    spawned()

    provider.handle_message.assert_called_once_with(None, message)


def test_a_message_the_transport_could_not_convert_also_reaches_the_entrypoint(
    consumer_and_provider,
):
    consumer, provider, container = consumer_and_provider
    (kombu_consumer,) = consumer.get_consumers(RecordingKombuConsumer, channel=None)
    message = SimpleNamespace(body=b"\x00", delivery_info={"routing_key": "work"})

    kombu_consumer.on_decode_error(message, ValueError("cannot convert"))
    (spawned,), _ = container.spawn_managed_thread.call_args
    spawned()

    provider.handle_message.assert_called_once_with(None, message)
