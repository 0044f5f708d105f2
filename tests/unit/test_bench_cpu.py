"""The server side's CPU time, read from /proc: the contender's tree, PostgreSQL and RabbitMQ."""

import os
import time

import pytest
from bench.cpu import CpuSnapshot, server_side_cpu

pytestmark = pytest.mark.unit


def test_the_contenders_own_cpu_time_is_counted():
    before = server_side_cpu(os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass

    assert server_side_cpu(os.getpid()).seconds_since(before) >= 0.2


def test_a_process_started_during_the_run_counts_whole_and_one_that_ended_is_left_out():
    ticks = os.sysconf("SC_CLK_TCK")
    before = CpuSnapshot({1: 10 * ticks, 2: 5 * ticks})
    after = CpuSnapshot({1: 12 * ticks, 3: 1 * ticks})

    assert after.seconds_since(before) == pytest.approx(3.0)
