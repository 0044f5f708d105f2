"""nameko's QueueConsumer, minus kombu's body decoding.

The stock consumer lets kombu decode each body by its content type; a body that fails to decode
(not JSON, or a content type not accepted) raises inside the consumer thread, which kills the
container, and the broker redelivers the same message to the restarted service: a crash loop.
Here every message reaches its entrypoint undecoded, which decides what a bad body means.
"""

from functools import partial

from nameko.messaging import QueueConsumer


class RawQueueConsumer(QueueConsumer):
    def get_consumers(self, consumer_cls, channel):
        for provider in self._providers:
            deliver = partial(self.handle_message, provider, None)
            consumer = consumer_cls(
                queues=[provider.queue],
                on_message=deliver,
                # transport-level conversion errors, too, go to the entrypoint
                on_decode_error=lambda message, exc, deliver=deliver: deliver(message),
            )
            # bounded: at most one unacknowledged message per worker
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()
