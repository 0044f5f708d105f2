"""The registration service as an operator runs it: `registration-run` in a process of its own."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.ports import free_port

REPOSITORY = Path(__file__).resolve().parents[3]
REGISTRATION_RUN = Path(sys.executable).parent / "registration-run"


class ServiceProcess:
    """One run of the service; what it writes to stdout and stderr goes to `log_path`."""

    def __init__(self, log_path: Path, **environment: str) -> None:
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.environment = {
            **os.environ,
            "CONFIG": str(REPOSITORY / "config.yml"),
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{self.port}",
            "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore:pkg_resources:UserWarning",
            **environment,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> "ServiceProcess":
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(REGISTRATION_RUN)],
                cwd=REPOSITORY,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the service exited at start:\n{self.output()}")
            try:
                if requests.get(f"{self.base_url}/health/live", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the service did not come up:\n{self.output()}")

    def terminate(self) -> None:
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
        if self.process is None or self.process.poll() is not None:
            return
        self.terminate()
        if self.wait(15) is None:
            self.process.kill()
            self.process.wait(5)

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")
