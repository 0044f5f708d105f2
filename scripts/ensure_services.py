"""Make sure RabbitMQ and PostgreSQL answer before the suite runs.

When one is not reachable and a Docker engine is, start it from deploy/test-services (the suite's
own brokers, not the least-privileged local stack); otherwise say
exactly what is missing and fail, so the integration tests never skip silently.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

TEST_SERVICES = (
    Path(__file__).resolve().parents[1] / "deploy" / "test-services" / "docker-compose.yml"
)

SERVICES = {
    "rabbitmq": os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
    "postgres": os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
}
DEFAULT_PORTS = {"rabbitmq": 5672, "postgres": 5432}


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def docker_engine_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def main() -> int:
    missing = [name for name, url in SERVICES.items() if not reachable(url, DEFAULT_PORTS[name])]
    if not missing:
        return 0
    if docker_engine_available():
        print(f"starting {', '.join(missing)} with docker compose", flush=True)
        subprocess.run(
            ["docker", "compose", "-f", str(TEST_SERVICES), "up", "-d", "--wait", *missing],
            check=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(reachable(SERVICES[n], DEFAULT_PORTS[n]) for n in missing):
                return 0
            time.sleep(1)
    for name in missing:
        print(f"not reachable: {name} at {SERVICES[name]}", file=sys.stderr)
    print(
        "Start them (or set AMQP_URI / TEST_POSTGRES_URL to where they run); with a Docker engine,"
        " `make test` starts them from deploy/test-services.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
