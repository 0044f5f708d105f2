"""A chore's round: bounded batches, each followed by a rest three times as long, one replica at a
time, ended by a short batch or by its budget."""

from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from registration.entrypoints import chores

pytestmark = pytest.mark.unit


class Clock:
    """Stands in for time: a batch takes `batch_seconds`, a rest as long as it asks."""

    def __init__(self) -> None:
        self.now = 100.0
        self.rests: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.rests.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(chores, "time", clock)
    return clock


def _app(held=True):
    @contextmanager
    def alone(name, seconds):
        yield held

    return SimpleNamespace(alone=alone)


def _batches(clock, sizes, batch_seconds=0.2):
    remaining = list(sizes)

    def batch(limit):
        clock.now += batch_seconds
        return min(limit, remaining.pop(0))

    return batch


def test_each_full_batch_is_followed_by_a_rest_three_times_as_long(clock):
    done = chores.in_batches(
        _app(), "c", _batches(clock, [10, 10, 4]), batch_size=10, budget_seconds=60
    )

    assert done == 24
    assert clock.rests == pytest.approx([0.6, 0.6])  # none after the short batch that ended it
    assert chores.BUSY_SHARE == 0.25


def test_the_budget_counts_the_rests_and_ends_the_round(clock):
    done = chores.in_batches(
        _app(), "c", _batches(clock, [10] * 100), batch_size=10, budget_seconds=2.0
    )

    # 0.2 s of work and 0.6 s of rest per batch: the fourth batch ends at 2.6 s, past the budget
    assert done == 40
    assert len(clock.rests) == 3


def test_a_replica_that_does_not_hold_the_chore_does_nothing(clock):
    batch = _batches(clock, [10])

    assert chores.in_batches(_app(held=False), "c", batch, batch_size=10, budget_seconds=5) is None
    assert clock.rests == []
