"""Whatever delivers the signal, each service stops, within its grace period plus 5 s, cleanly.

A terminal's Ctrl-C and `kill -TERM -- -PGID` signal the whole process group; GNU make, the
parent of `make run`, passes a SIGTERM on to its child as well, so the service gets two. Each
launcher runs here in a session of its own, under a make of the test's own (make's behaviour,
without `make run`'s install step), and each service process logs one line once it is ready.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.broker import VirtualHost, private_vhost
from tests.support.ports import free_port

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the test's own virtual environment (.venv, .venv313, ...)
GRACE_SECONDS = 1.0
STOP_BUDGET_SECONDS = GRACE_SECONDS + 5


@pytest.fixture(scope="module")
def vhost(amqp_uri: str) -> Iterator[VirtualHost]:
    """Both services declare their queues under the deployed names: on a vhost of their own,
    shared by the runs of this module one after the other."""
    with private_vhost(amqp_uri) as vhost:
        yield vhost


def registration(processes: int) -> Callable[[Path, str], tuple[str, dict[str, str]]]:
    def launcher(tmp_path: Path, amqp_uri: str) -> tuple[str, dict[str, str]]:
        return "registration-run", {
            "SERVICE_NAME": "nameko_registration_service",
            "WEB_CONCURRENCY": str(processes),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'registration.db'}",
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
            "MANAGEMENT_ADDRESS": f"127.0.0.1:{free_port()}",
            "AMQP_URI": amqp_uri,
            "SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS),
        }

    return launcher


def welcome(tmp_path: Path, amqp_uri: str) -> tuple[str, dict[str, str]]:
    return "welcome-run", {
        "SERVICE_NAME": "welcome_mail_service",
        "WELCOME_DATABASE_URL": f"sqlite:///{tmp_path / 'welcome.db'}",
        "WELCOME_WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "NOTIFIER": "log",
        "AMQP_URI": amqp_uri,
    }


SERVICES = {
    "registration": (registration(1), 1),
    "registration-2-processes": (registration(2), 2),
    "welcome": (welcome, 1),
}


class Launched:
    """A launcher under `make`, or alone, in a session of its own; output appended to a log."""

    def __init__(self, log_path: Path, argv: list[str], environment: dict[str, str]) -> None:
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                argv,
                cwd=REPOSITORY,
                env={
                    **os.environ,
                    "CONFIG": str(REPOSITORY / "config.yml"),
                    "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore:pkg_resources:UserWarning",
                    **environment,
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_ready(self, processes: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.lines_with("ready: ")) < processes:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"not ready:\n{self.output()}")
            time.sleep(0.05)

    def tree(self) -> set[int]:
        """The pids of the process and all its descendants (the supervisor's children are in
        sessions of their own, out of its group)."""
        pids, pending = set(), [self.process.pid]
        while pending:
            pid = pending.pop()
            pids.add(pid)
            pending.extend(_children(pid))
        return pids

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def lines_with(self, text: str) -> list[str]:
        return [line for line in self.output().splitlines() if text in line]

    def kill(self) -> None:
        for pid in self.tree():
            _signal(pid, signal.SIGKILL)
        self.process.wait(10)


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return []
    children: list[int] = []
    for task in tasks:
        with contextlib.suppress(FileNotFoundError):
            children += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    return children


def _is_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has exited: only its parent's wait is left


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def group_sigterm(launched: Launched) -> None:
    """`kill -TERM -- -PGID`: make gets it and passes it on, the launcher gets it too."""
    os.killpg(launched.process.pid, signal.SIGTERM)


def group_sigint(launched: Launched) -> None:
    """Ctrl-C: the terminal sends SIGINT to the foreground process group."""
    os.killpg(launched.process.pid, signal.SIGINT)


def sigterm_twice(launched: Launched) -> None:
    """To the launcher's own process, the second while the first one's stop is under way."""
    launched.process.send_signal(signal.SIGTERM)
    time.sleep(0.1)
    launched.process.send_signal(signal.SIGTERM)


WAYS = {
    "make-group-sigterm": (group_sigterm, True),
    "make-group-sigint": (group_sigint, True),
    "sigterm-twice": (sigterm_twice, False),
}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not on PATH")
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_a_service_stops_within_its_grace_whatever_delivers_the_signal(
    service: str, way: str, vhost: VirtualHost, tmp_path: Path
) -> None:
    launcher_for, processes = SERVICES[service]
    deliver, under_make = WAYS[way]
    launcher, environment = launcher_for(tmp_path, vhost.amqp_uri)
    argv = [str(BIN / launcher)]
    if under_make:
        makefile = tmp_path / "Makefile"
        makefile.write_text(f"run:\n\t{BIN / launcher}\n")
        argv = ["make", "--no-print-directory", "-f", str(makefile), "run"]
    launched = Launched(tmp_path / "service.log", argv, environment)
    try:
        launched.wait_until_ready(processes)
        tree = launched.tree()
        signalled_at = time.monotonic()
        deliver(launched)
        deadline = signalled_at + STOP_BUDGET_SECONDS
        while any(_is_alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [pid for pid in tree if _is_alive(pid)]
        exit_code = launched.process.wait(max(0.1, deadline - time.monotonic()))
    finally:
        if launched.process.poll() is None:
            launched.kill()

    assert not left, f"still running {STOP_BUDGET_SECONDS} s after the signal:\n{launched.output()}"
    if not under_make:  # make exits by the signal it got, whatever its child's status
        assert exit_code == 0, launched.output()
    assert len(launched.lines_with("ready: ")) == processes, launched.output()
    assert len(launched.lines_with(": stopping")) == processes, launched.output()
    assert "Traceback" not in launched.output()
