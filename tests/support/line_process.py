"""A test helper run as its own Python process, driven by lines on stdin and answering on stdout
(the fault tests' proxies): the test process's eventlet hub never delays the traffic it carries."""

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


class LineProcess:
    def __init__(self, module: str, *arguments: str, ready_word: str = "listening") -> None:
        """Start `python -m module arguments...`; its first line must begin with `ready_word`."""
        self._process = subprocess.Popen(
            [sys.executable, "-m", module, *arguments],
            cwd=REPOSITORY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.first_line = self._process.stdout.readline().split()  # type: ignore[union-attr]
        if self.first_line[:1] != [ready_word]:
            self.close()
            raise RuntimeError(f"{module} did not start: {self.first_line}")

    def ask(self, line: str) -> str:
        self._process.stdin.write(line + "\n")  # type: ignore[union-attr]
        self._process.stdin.flush()  # type: ignore[union-attr]
        return self._process.stdout.readline().strip()  # type: ignore[union-attr]

    def close(self) -> None:
        """End of stdin stops it; killed if it lingers."""
        if self._process.poll() is None:
            self._process.stdin.close()  # type: ignore[union-attr]
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
