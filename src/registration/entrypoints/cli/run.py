"""`registration-run`: migrate, then become `nameko run` (exec, so signals reach nameko directly).

The container's CMD and `make run` use it. WEB_CONCURRENCY > 1 starts that many processes sharing
the port (eventlet listens with SO_REUSEPORT), each with its own relay; the relays cooperate
through the outbox's row locks.
"""

import os
import shutil
import signal
import subprocess
import sys

from registration.entrypoints.cli.migrate import main as migrate

SERVICE_MODULE = "registration.entrypoints.service"


def main() -> None:
    migrate()
    config = os.environ.get("CONFIG", "config.yml")
    nameko = shutil.which("nameko", path=os.path.dirname(sys.executable)) or "nameko"
    command = [nameko, "run", "--config", config, SERVICE_MODULE]
    processes = int(os.environ.get("WEB_CONCURRENCY", "1"))
    if processes <= 1:
        os.execv(command[0], command)
    _supervise([subprocess.Popen(command) for _ in range(processes)])


def _supervise(children: list[subprocess.Popen[bytes]]) -> None:
    def forward(signum: int, _frame: object) -> None:
        for child in children:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [child.wait() for child in children]
    sys.exit(max(codes))


if __name__ == "__main__":
    main()
