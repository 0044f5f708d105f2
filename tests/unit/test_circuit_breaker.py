"""After the database failed to answer, calls fail at once for a moment instead of each waiting
out the deadline while holding a worker."""

import time

import pytest

from registration.adapters.sql.circuit_breaker import CircuitBreaker
from registration.application.errors import StorageUnavailable

pytestmark = pytest.mark.unit


def test_calls_go_through_while_nothing_has_failed():
    CircuitBreaker().check()


def test_calls_fail_at_once_after_a_failure():
    breaker = CircuitBreaker(cool_down_seconds=60)
    breaker.trip()

    with pytest.raises(StorageUnavailable):
        breaker.check()


def test_calls_go_through_again_once_the_cool_down_is_over():
    breaker = CircuitBreaker(cool_down_seconds=0.01)
    breaker.trip()

    time.sleep(0.05)

    breaker.check()
