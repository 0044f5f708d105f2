"""A MessageSink that keeps what the relay publishes, for the outbox's adapter tests."""


class RecordingSink:
    def __init__(self):
        self.published = []

    def publish(self, messages):
        self.published.extend(messages)

    def keep_alive(self):
        pass
