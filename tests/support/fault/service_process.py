"""The registration service as operators run it: `registration-run` in its own process group."""

import contextlib
import ctypes
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.support.ports import free_port

REPOSITORY = Path(__file__).resolve().parents[3]
RUN = REPOSITORY / ".venv" / "bin" / "registration-run"
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: the service gets SIGTERM if the test process dies without tearing down."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ServiceProcess:
    """Started, killed and started again on the same database, broker and port."""

    def __init__(self, database_url: str, amqp_uri: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CONFIG": str(REPOSITORY / "config.yml"),
            "DATABASE_URL": database_url,
            "AMQP_URI": amqp_uri,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{self.port}",
            "EVENT_PUBLISHER": "outbox",
            "OUTBOX_POLL_SECONDS": "0.5",
            "WEB_CONCURRENCY": "1",
            "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore:pkg_resources:UserWarning",
        }
        handle, self.log_path = tempfile.mkstemp(prefix="registration-", suffix=".log")
        self.log = os.fdopen(handle, "wb")
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, ready_within: float = 30.0) -> None:
        self._process = subprocess.Popen(
            [str(RUN)],
            cwd=REPOSITORY,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill reaches every child
            preexec_fn=_die_with_parent,
        )
        self.wait_until_ready(ready_within)

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the service exited:\n{self.log_tail()}")
            last = self.readiness()
            if last[0] == 200:
                return
            time.sleep(0.2)
        raise TimeoutError(
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
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown code runs, as in a crash."""
        self._signal_group(signal.SIGKILL)
        if self._process is not None:
            self._process.wait(timeout=10)

    def stop(self) -> None:
        if not self.is_running():
            return
        self.thaw()  # a frozen process would hold the SIGTERM until the kill
        self._signal_group(signal.SIGTERM)
        try:
            self._process.wait(timeout=10)  # type: ignore[union-attr]
        except subprocess.TimeoutExpired:
            self.kill()

    def freeze(self) -> None:
        """SIGSTOP: sockets stay open and nothing more is sent, like a stalled VM or a host cut
        off without a FIN."""
        self._signal_group(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal_group(signal.SIGCONT)

    def log_tail(self, lines: int = 40) -> str:
        text = Path(self.log_path).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def remove_log(self) -> None:
        self.log.close()
        Path(self.log_path).unlink(missing_ok=True)

    def _signal_group(self, signum: signal.Signals) -> None:
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signum)  # the group id is the leader's pid
