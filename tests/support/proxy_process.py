"""The test's handle on a `tcp_proxy` process: start it in front of a port, cut, restore."""

import time

from tests.support.line_process import LineProcess

MODES = ("refuse", "blackhole")


class ProxyProcess:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._process = LineProcess("tests.support.tcp_proxy", str(upstream_port))
        self.port = int(self._process.first_line[1])

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
        return self._stats()["accepted"]

    def wait_until_ended(self, connections: int, timeout: float = 10.0) -> bool:
        """Whether `connections` forwarded connections have ended, both sides closed."""
        deadline = time.monotonic() + timeout
        while self._stats()["ended"] < connections and time.monotonic() < deadline:
            time.sleep(0.05)
        return self._stats()["ended"] >= connections

    def _stats(self) -> dict[str, int]:
        answer = self._command("stats").removeprefix("ok ")
        return {name: int(value) for name, value in (f.split("=") for f in answer.split())}

    def close(self) -> None:
        self._process.close()

    def _command(self, command: str) -> str:
        answer = self._process.ask(command)
        if not answer.startswith("ok"):
            raise RuntimeError(f"proxy refused {command!r}: {answer!r}")
        return answer
