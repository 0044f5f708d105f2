"""A RabbitMQ node of a test's own: its own name, ports, data and configuration, stopped and
deleted afterwards. For what the shared broker must not be given: definitions loaded at boot
(users without `guest`), a broker that is stopped.

It runs the `rabbitmq-server` this machine has (Debian's package, or a generic build on PATH)
as the test's own user, with its own Erlang cookie, so nothing of the shared node is touched.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_port

# Debian's /usr/sbin scripts switch to the `rabbitmq` user, and that user's cookie and paths.
_DEBIAN_SCRIPTS = Path("/usr/lib/rabbitmq/bin")
_START_TIMEOUT_SECONDS = 90


@dataclass(frozen=True)
class BrokerNode:
    name: str
    port: int
    environment: dict[str, str]

    def amqp_uri(self, user: str, password: str) -> str:
        return f"amqp://{user}:{password}@127.0.0.1:{self.port}/"

    def rabbitmqctl(self, *arguments: str) -> str:
        result = subprocess.run(
            [_script("rabbitmqctl"), "-n", self.name, "--quiet", *arguments],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"rabbitmqctl {' '.join(arguments)}: {result.stderr or result.stdout}"
            )
        return result.stdout


@contextmanager
def own_broker_node(folder: Path, *config_lines: str) -> Iterator[BrokerNode]:
    """A started node whose rabbitmq.conf holds `config_lines` (and its own listener)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (folder / "home").mkdir(exist_ok=True)
    cookie = folder / "home" / ".erlang.cookie"
    cookie.write_text(uuid.uuid4().hex)
    cookie.chmod(0o400)
    (folder / "enabled_plugins").write_text("[].\n")
    (folder / "rabbitmq.conf").write_text(
        "\n".join([f"listeners.tcp.default = 127.0.0.1:{port}", *config_lines]) + "\n"
    )
    node = BrokerNode(
        name=f"test-{uuid.uuid4().hex[:12]}@localhost",
        port=port,
        environment={
            **os.environ,
            "HOME": str(folder / "home"),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(folder / "data"),
            "RABBITMQ_LOG_BASE": str(folder / "log"),
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        },
    )
    with open(folder / "server.log", "wb") as log:
        server = subprocess.Popen(
            [_script("rabbitmq-server")],
            env={**node.environment, "RABBITMQ_NODENAME": node.name},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _await_startup(node, server, folder / "server.log")
        yield node
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _await_startup(node: BrokerNode, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"rabbitmq-server exited:\n{log.read_text()[-3000:]}")
        try:
            node.rabbitmqctl("await_startup", "--timeout", "5")
            return
        except (RuntimeError, subprocess.TimeoutExpired):
            time.sleep(0.5)
    raise RuntimeError(f"rabbitmq-server did not start:\n{log.read_text()[-3000:]}")


def _script(name: str) -> str:
    if (_DEBIAN_SCRIPTS / name).exists():
        return str(_DEBIAN_SCRIPTS / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(
            f"{name} is not on PATH: tests that run a broker node of their own cannot run"
        )
    return found
