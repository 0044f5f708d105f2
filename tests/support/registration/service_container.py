"""The registration service in a real nameko container, on its own RPC queue.

The shared broker may carry other runs' `nameko_registration_service` at the same time: a
container under the deployed name would answer their RPC calls from its own database, and leave a
durable `rpc-nameko_registration_service` queue behind. So tests run the same class under a
unique name; its events still go to the contract's exchange, which the composition root names.
"""

import contextlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from nameko.containers import ServiceContainer, get_container_cls

from registration.adapters.sql.migrate import upgrade_to_head
from registration.entrypoints.service import RegistrationHttpService
from tests.support.auth import shared_issuer
from tests.support.ports import free_port
from tests.support.queues import delete_queues


def isolated_service_class() -> type[RegistrationHttpService]:
    class IsolatedRegistrationService(RegistrationHttpService):
        name = f"test_registration_{uuid.uuid4().hex[:10]}"

    return IsolatedRegistrationService


def service_config(amqp_uri: str, database_url: str, **overrides: Any) -> dict[str, Any]:
    """Config as config.yml gives it, on a free loopback port; the database is migrated here."""
    upgrade_to_head(database_url)
    return {
        "AMQP_URI": amqp_uri,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "MANAGEMENT_ADDRESS": f"127.0.0.1:{free_port()}",
        "DATABASE_URL": database_url,
        "DATABASE_TIMEOUT_SECONDS": 3,
        "EVENT_PUBLISHER": "outbox",
        "OUTBOX_POLL_SECONDS": 0.2,
        "max_workers": 10,
        **shared_issuer().settings,
        **overrides,
    }


def base_url(config: dict[str, Any]) -> str:
    return f"http://{config['WEB_SERVER_ADDRESS']}"


def management_url(config: dict[str, Any]) -> str:
    """The operators' listener: /health with its detail, /metrics."""
    return f"http://{config['MANAGEMENT_ADDRESS']}"


def wait_until_ready(url: str, timeout: float = 30.0) -> bool:
    """Whether /health/ready answered 200 within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/health/ready", timeout=5).status_code == 200:
                return True
        time.sleep(0.1)
    return False


@contextmanager
def running_container(service_cls: type, config: dict[str, Any]) -> Iterator[ServiceContainer]:
    """What nameko's `container_factory` does, for a container shared by a whole module."""
    container = get_container_cls(config)(service_cls, config)
    container.start()
    try:
        yield container
    finally:
        container.kill()


def delete_rpc_queue(amqp_uri: str, service_name: str) -> None:
    delete_queue(amqp_uri, f"rpc-{service_name}")


def delete_queue(amqp_uri: str, name: str) -> None:
    delete_queues(amqp_uri, [name])


@contextmanager
def isolated_service(
    amqp_uri: str, database_url: str, **overrides: Any
) -> Iterator[dict[str, Any]]:
    """A running container of the service under a name of its own on a migrated database: its
    config; its RPC queue is deleted afterwards."""
    service_cls = isolated_service_class()
    try:
        config = service_config(amqp_uri, database_url, **overrides)
        with running_container(service_cls, config):
            yield config
    finally:
        delete_rpc_queue(amqp_uri, service_cls.name)
