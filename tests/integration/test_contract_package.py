"""The contract package installed alone, as a downstream team would: a fresh virtual environment
with only `contract/` in it, a stock `@event_handler` and a `ClusterRpcProxy` with typed errors
against the running registration service.

The service runs as `registration-run` on a RabbitMQ virtual host of this test's own (created
with rabbitmqctl, deleted after, so nothing it declares reaches the shared broker's `/`) and a
fresh PostgreSQL database.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.registration.service_process import REPOSITORY, ServiceProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

CONTRACT = REPOSITORY / "contract"
CALLER = Path(__file__).with_name("contract_caller.py")
# The root project's own runtime dependencies, none of which the contract may bring along.
NOT_THE_CONTRACTS = {
    "nameko-registration",
    "sqlalchemy",
    "psycopg2-binary",
    "alembic",
    "jsonschema",
    "email-validator",
    "prometheus-client",
    "httptools",
}


def run(command: list[str], timeout: float) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def contract_python(tmp_path_factory) -> Path:
    """The interpreter of a fresh venv (this Python's version) holding the contract package."""
    root = tmp_path_factory.mktemp("contract")
    # a copy, so that building it leaves nothing in the repository's folder
    source = shutil.copytree(
        CONTRACT, root / "contract", ignore=shutil.ignore_patterns("*.egg-info", "build")
    )
    run([sys.executable, "-m", "venv", str(root / "venv")], timeout=120)
    python = root / "venv" / "bin" / "python"
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(REPOSITORY / "constraints.txt"),
            str(source),
        ],
        timeout=400,
    )
    return python


@pytest.fixture
def own_vhost_uri(private_vhost):
    return private_vhost.amqp_uri


def test_the_contract_installs_with_nameko_as_its_only_requirement(contract_python):
    requires = run(
        [
            str(contract_python),
            "-c",
            "from importlib.metadata import requires; "
            "print(*requires('nameko-registration-contract'), sep='\\n')",
        ],
        timeout=60,
    )
    listed = json.loads(
        run(
            [
                str(contract_python),
                "-m",
                "pip",
                "list",
                "--format=json",
                "--disable-pip-version-check",
            ],
            timeout=60,
        )
    )

    assert requires.split() == ["nameko==2.14.1"]
    assert {package["name"].lower() for package in listed} & NOT_THE_CONTRACTS == set()


def test_a_stock_subscriber_and_caller_work_with_the_contract_alone(
    contract_python, own_vhost_uri, fresh_postgres_url, tmp_path
):
    email = f"contract-{uuid.uuid4().hex[:12]}@example.com"
    service = ServiceProcess(
        tmp_path / "service.log",
        AMQP_URI=own_vhost_uri,
        DATABASE_URL=fresh_postgres_url,
        OUTBOX_POLL_SECONDS="0.2",
    )
    service.start()
    try:
        # outside the suite's virtual environment: only the fresh venv's packages are importable
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "VIRTUAL_ENV")
        }
        caller = subprocess.run(
            [str(contract_python), str(CALLER), own_vhost_uri, email, service.base_url],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
            cwd=tmp_path,
            check=False,
        )
    finally:
        service.stop()
    assert caller.returncode == 0, f"{caller.stderr}\n{service.output()}"
    result = json.loads(caller.stdout.strip().splitlines()[-1])

    assert result["second_call_raised"] == "registration_contract.errors.EmailAlreadyRegistered"
    assert result["event"] is not None, "the subscriber received no event for the address"
    assert result["event"]["entry_id"] == result["entry"]["id"]
    assert result["event"]["name"] == "RegisteredEntryEvent"
