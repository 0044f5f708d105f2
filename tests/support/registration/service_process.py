"""The registration service as operators run it: `registration-run` in its own process group.

One run or several on the same log, port, database and broker: started, stopped with SIGTERM as
a container runtime does, killed, frozen and thawed.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.auth import shared_issuer
from tests.support.ports import free_port

REPOSITORY = Path(__file__).resolve().parents[3]
REGISTRATION_RUN = Path(sys.executable).parent / "registration-run"
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: the service gets SIGTERM if the test process dies without tearing down."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ServiceProcess:
    """What each run writes to stdout and stderr is appended to `log_path`; `environment`
    comes on top of the test process's own and of config.yml on a free loopback port."""

    def __init__(self, log_path: Path, **environment: str) -> None:
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.management_url = f"http://127.0.0.1:{free_port()}"  # health detail, metrics
        self.environment = {
            **os.environ,
            "CONFIG": str(REPOSITORY / "config.yml"),
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{self.port}",
            "MANAGEMENT_ADDRESS": self.management_url.removeprefix("http://"),
            "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore:pkg_resources:UserWarning",
            **shared_issuer().settings,
            **environment,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> "ServiceProcess":
        """Start a run and wait until /health/ready answers 200."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(REGISTRATION_RUN)],
                cwd=REPOSITORY,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a kill reaches every child
                preexec_fn=_die_with_parent,
            )
        self.wait_until_ready(timeout)
        return self

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if not self.is_running():
                raise AssertionError(f"the service exited:\n{self.log_tail()}")
            last = self.readiness()
            if last[0] == 200:
                return
            time.sleep(0.1)
        raise AssertionError(
            f"the service was not ready within {timeout}s (last answer {last}):\n{self.log_tail()}"
        )

    def ready_status(self) -> int | None:
        return self.readiness()[0]

    def readiness(self) -> tuple[int | None, str]:
        try:
            response = requests.get(f"{self.base_url}/health/ready", timeout=5)
        except requests.RequestException as error:
            return None, repr(error)
        return response.status_code, response.text

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        """SIGTERM to the service's own process, as a container runtime sends it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None if it was still running after `timeout` seconds."""
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not go: for clean-up, whatever the test did."""
        if not self.is_running():
            return
        self.thaw()  # a frozen process would hold the SIGTERM until the kill
        self._signal_group(signal.SIGTERM)
        if self.wait(15) is None:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown code runs, as in a crash."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: sockets stay open and nothing more is sent, like a stalled VM or a host cut
        off without a FIN."""
        self._signal_group(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal_group(signal.SIGCONT)

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def _signal_group(self, signum: signal.Signals) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)  # the group id is the leader's pid
