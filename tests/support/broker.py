"""The shared RabbitMQ: a virtual host of a test's own, and plain py-amqp connections.

The deployed names belong to the contract, and every run on the broker shares them: the welcome
service's work queue keeps whatever was published while no subscriber ran (a benchmark can leave
thousands of events there, which a new subscriber works through before a test's own), and a
service under the deployed name answers other runs' RPC calls. A test that runs anything under
those names takes a virtual host of its own, `private_vhost`: it finds them empty, and deleting
the host removes every queue, exchange and message declared on it, whatever state the test left.

Hosts are made with `rabbitmqctl` (the management API may be off), so the broker must be the
node that `rabbitmqctl` on this machine reaches, as the user running the tests.
"""

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import amqp


@dataclass(frozen=True)
class VirtualHost:
    name: str
    amqp_uri: str


@contextmanager
def private_vhost(amqp_uri: str) -> Iterator[VirtualHost]:
    """A new virtual host on the broker of `amqp_uri`, its user allowed everything there;
    deleted afterwards with all it holds."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    user = unquote(urlsplit(amqp_uri).username or "guest")
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        yield VirtualHost(name, on_vhost(amqp_uri, name))
    finally:
        rabbitmqctl("delete_vhost", name)


def on_vhost(amqp_uri: str, vhost: str) -> str:
    """`amqp_uri` with its virtual host replaced (URL-quoted, as "/" is "%2F")."""
    return urlunsplit(urlsplit(amqp_uri)._replace(path="/" + quote(vhost, safe="")))


def through_port(amqp_uri: str, port: int) -> str:
    """`amqp_uri` on another loopback port (a proxy in front of the broker), same vhost."""
    parts = urlsplit(amqp_uri)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def connection_to(amqp_uri: str) -> amqp.Connection:
    """A py-amqp connection (not yet connected) as `amqp_uri` says, virtual host included."""
    parts = urlsplit(amqp_uri)
    return amqp.Connection(
        host=f"{parts.hostname}:{parts.port or 5672}",
        userid=unquote(parts.username or "guest"),
        password=unquote(parts.password or "guest"),
        virtual_host=unquote(parts.path[1:]) or "/",
    )


def rabbitmqctl(*arguments: str) -> None:
    command = shutil.which("rabbitmqctl")
    if command is None:
        raise RuntimeError("rabbitmqctl is not on PATH: tests that need a private vhost cannot run")
    result = subprocess.run(
        [command, "--quiet", *arguments], capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"rabbitmqctl {' '.join(arguments)} failed ({result.returncode}):\n"
            f"{result.stderr or result.stdout}"
        )
