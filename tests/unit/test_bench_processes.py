"""The benchmark stops everything it starts, and measures memory over the whole process tree."""

import time
from pathlib import Path

import pytest
from bench.processes import descendants, running_service, tree_rss_bytes

pytestmark = pytest.mark.unit

# a service that starts two children of its own, as a server with several workers does
FAMILY = ["sh", "-c", "sleep 300 & sleep 300 & wait"]


def always_ready(base_url):
    return True


def never_ready(base_url):
    return False


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(tmp_path, command=FAMILY, is_ready=always_ready, timeout=10):
    return running_service(
        "family",
        command,
        {},
        1,
        tmp_path / "family.log",
        is_ready,
        ready_timeout_s=timeout,
        cwd=tmp_path,
    )


def children_of(pid, count):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if len(found := descendants(pid)) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{pid} did not start {count} children")


def test_stopping_a_service_stops_its_children_too(tmp_path):
    with start(tmp_path) as service:
        family = [service.process.pid, *children_of(service.process.pid, 2)]

    # the signal is sent on leaving; a loaded machine may take a moment to deliver it
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in family)


def test_memory_counts_every_process_of_the_tree(tmp_path):
    with start(tmp_path) as service:
        first, second = children_of(service.process.pid, 2)
        children_only = tree_rss_bytes(first) + tree_rss_bytes(second)

        assert tree_rss_bytes(service.process.pid) > children_only > 0


def test_a_service_that_exits_while_starting_is_reported_with_its_log(tmp_path):
    crashing = ["sh", "-c", "echo cannot bind the port; exit 3"]

    with (
        pytest.raises(RuntimeError, match="exited with 3") as failure,
        start(tmp_path, crashing, never_ready),
    ):
        pass

    assert "cannot bind the port" in str(failure.value)


def test_a_service_that_never_gets_ready_is_stopped(tmp_path):
    stuck = ["sh", "-c", "echo $$ > pid; exec sleep 300"]

    with pytest.raises(RuntimeError, match="not ready"), start(tmp_path, stuck, never_ready, 1):
        pass

    assert not alive(int((tmp_path / "pid").read_text()))
