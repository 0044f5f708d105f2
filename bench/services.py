"""How the contenders are started: the one place their commands and settings live."""

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
OUR_READINESS_PATH = "/health/ready"
OUR_EXCHANGE = "nameko_registration_service.events"
# What nameko declares for our service's RPC entrypoints, and leaves on the broker.
OUR_RPC_QUEUE = "rpc-nameko_registration_service"
RPC_EXCHANGE = "nameko-rpc"
DISPATCH_ONLY_EXCHANGE = "dispatch_only_example.events"
FASTAPI_EXCHANGE = "fastapi_registration.events"
FASTAPI_READINESS_PATH = "/openapi.json"

# The yardstick's own config: the same knobs as config.yml, and the same quiet log level as ours.
DISPATCH_ONLY_CONFIG = """\
AMQP_URI: ${AMQP_URI}
WEB_SERVER_ADDRESS: ${WEB_SERVER_ADDRESS}
max_workers: ${MAX_WORKERS:10}
LOGGING:
  version: 1
  disable_existing_loggers: false
  handlers:
    console: {class: logging.StreamHandler}
  root: {level: WARNING, handlers: [console]}
"""


def our_service_command() -> list[str]:
    """Applies the migrations, then runs `nameko run ... registration.entrypoints.service`."""
    return [str(VENV_BIN / "registration-run")]


def processes_per_core() -> int:
    """N: one process per core, as deployed (WEB_CONCURRENCY overrides it)."""
    return int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)


def our_service_env(database_url: str, amqp_uri: str, port: int, processes: int) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "AMQP_URI": amqp_uri,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "MANAGEMENT_ADDRESS": "127.0.0.1:0",  # not measured: any free port
        "LOG_LEVEL": "WARNING",
        # That many processes on the one port (registration-run, SO_REUSEPORT).
        "WEB_CONCURRENCY": str(processes),
    }


def dispatch_only_command(config_path: Path) -> list[str]:
    return [str(VENV_BIN / "nameko"), "run", "--config", str(config_path), "bench.dispatch_only"]


def dispatch_only_env(amqp_uri: str, port: int) -> dict[str, str]:
    return {"AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"}


def fastapi_command(port: int, workers: int) -> list[str]:
    """uvicorn as a FastAPI team runs it in production: uvloop, httptools, no access log."""
    return [
        str(VENV_BIN / "uvicorn"),
        "bench.fastapi_peer:app",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        "--loop=uvloop",
        "--http=httptools",
        "--no-access-log",
        "--log-level=warning",
    ]


def fastapi_env(database_url: str, amqp_uri: str) -> dict[str, str]:
    # MAX_WORKERS: its pool is sized like ours (config.yml's max_workers, default 10)
    return {
        "DATABASE_URL": database_url,
        "AMQP_URI": amqp_uri,
        "MAX_WORKERS": os.environ.get("MAX_WORKERS", "10"),
    }
