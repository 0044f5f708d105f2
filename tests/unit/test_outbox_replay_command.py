import argparse
from datetime import UTC, datetime

import pytest

from registration.bootstrap import OutboxTools
from registration.entrypoints.cli.outbox import _replay
from registration.infrastructure.settings import BrokerSettings, Settings

pytestmark = pytest.mark.unit


class StoredEvents:
    def __init__(self, count: int) -> None:
        self.count = count

    def stored_between(self, start, end):
        return iter(range(self.count))


class RecordingSink:
    def __init__(self) -> None:
        self.batches: list[int] = []
        self.closed = False

    def publish(self, messages) -> None:
        self.batches.append(len(messages))

    def close(self) -> None:
        self.closed = True


def test_a_replay_publishes_in_batches_of_the_configured_size(capsys):
    sink = RecordingSink()
    settings = Settings(broker=BrokerSettings(), outbox_batch_size=2)
    tools = OutboxTools(settings, StoredEvents(5), lambda: sink)  # type: ignore[arg-type]
    moment = datetime(2026, 11, 1, tzinfo=UTC)

    _replay(tools, argparse.Namespace(since=moment, until=moment, dry_run=False))

    assert sink.batches == [2, 2, 1]
    assert sink.closed
    assert '"replayed": 5' in capsys.readouterr().out
