"""`registration-run`: migrate, then become `nameko run` (exec, so signals reach nameko directly).

The container's CMD and `make run` use it. WEB_CONCURRENCY > 1 starts that many processes sharing
the port (SO_REUSEPORT, only among themselves), each with its own relay; the relays cooperate
through the outbox's row locks.
"""

import ctypes
import os
import signal
import subprocess
import sys
import tempfile

from registration.entrypoints.cli.migrate import prepare_schema
from registration.entrypoints.http.listeners import (
    DEFAULT_MANAGEMENT_ADDRESS,
    DEFAULT_PUBLIC_ADDRESS,
    MANAGEMENT_ADDRESS_KEY,
    PUBLIC_ADDRESS_KEY,
)
from service_kit import nameko_cli
from service_kit.config_file import config_path
from service_kit.listening import SHARED_PORT_VARIABLE

SERVICE_MODULE = "registration.entrypoints.service"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def main() -> None:
    config = config_path()
    nameko_cli.exit_if_address_in_use(config, PUBLIC_ADDRESS_KEY, DEFAULT_PUBLIC_ADDRESS)
    nameko_cli.exit_if_address_in_use(config, MANAGEMENT_ADDRESS_KEY, DEFAULT_MANAGEMENT_ADDRESS)
    prepare_schema()  # migrate, or with MIGRATIONS=wait wait for the migration job
    command = nameko_cli.command(config, SERVICE_MODULE)
    processes = int(os.environ.get("WEB_CONCURRENCY", "1"))
    if processes <= 1:
        os.execv(command[0], command)
    with tempfile.TemporaryDirectory(prefix="registration-metrics-") as metrics_dir:
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        os.environ[SHARED_PORT_VARIABLE] = "1"
        # Each child in its own session: a signal sent to this process group reaches the children
        # once, through `forward`; nameko 2.14.1 can hang when two SIGTERMs arrive together.
        children = [
            subprocess.Popen(command, start_new_session=True, preexec_fn=_stop_with_parent)
            for _ in range(processes)
        ]
        sys.exit(_supervise(children))


def _stop_with_parent() -> None:
    """In the child: get SIGTERM if the supervisor dies (even by SIGKILL), never linger on."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _supervise(children: list[subprocess.Popen[bytes]]) -> int:
    """Forward the first SIGTERM/SIGINT to every child; when one dies, stop the rest (the
    orchestrator restarts the whole unit) and exit with the worst status.

    Later signals are not passed on: the children are already stopping, and nameko 2.14.1 can
    hang when a second SIGTERM arrives while it stops.
    """

    stopping = False

    def forward(signum: int, _frame: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    _, status = os.wait()
    if not stopping:
        forward(signal.SIGTERM, None)
    codes = [child.wait() for child in children]
    return max([os.waitstatus_to_exitcode(status), *codes], key=abs)


if __name__ == "__main__":
    main()
