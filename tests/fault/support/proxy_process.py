"""The test's handle on a `tcp_proxy` process: start it in front of a port, cut, restore."""

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]
MODES = ("refuse", "blackhole")


class ProxyProcess:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.fault.support.tcp_proxy", str(upstream_port)],
            cwd=REPOSITORY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self._process.stdout.readline().split()  # type: ignore[union-attr]
        if first[:1] != ["listening"]:
            self.close()
            raise RuntimeError(f"the proxy did not start: {first}")
        self.port = int(first[1])

    def cut(self, mode: str = "refuse") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._command(f"cut {mode}")

    def mute(self) -> None:
        """Requests still arrive upstream; no reply comes back on any connection."""
        self._command("mute")

    def restore(self) -> None:
        self._command("restore")

    def connections_accepted(self) -> int:
        return int(self._command("stats").split("=")[1])

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()  # type: ignore[union-attr]
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _command(self, command: str) -> str:
        self._process.stdin.write(command + "\n")  # type: ignore[union-attr]
        self._process.stdin.flush()  # type: ignore[union-attr]
        answer = self._process.stdout.readline().strip()  # type: ignore[union-attr]
        if not answer.startswith("ok"):
            raise RuntimeError(f"proxy refused {command!r}: {answer!r}")
        return answer
