"""The edge as the compose stack runs it: Debian's HAProxy with deploy/haproxy/haproxy.cfg in
front of a real `registration-run`. Sign-ups past the per-client rate get a 429 problem from the
balancer, other paths are not limited, and the service logs the client's address the balancer
forwarded, never one the client wrote itself.

The configuration is the deployed file with two lines changed, the listen address and the
replicas' address (Docker's DNS name): each substitution must match exactly once, so a change to
the file's shape breaks this test instead of leaving it testing something else.

Clients connect from addresses of their own on loopback (127.0.0.2, 127.0.0.3), so what the
service logs is told apart from the balancer's own address (127.0.0.1).
"""

import http.client
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.ports import free_port
from tests.support.registration.service_process import REPOSITORY, ServiceProcess
from tests.support.system_tools import required_tool

pytestmark = pytest.mark.integration

DEPLOYED_CONFIG = REPOSITORY / "deploy" / "haproxy" / "haproxy.cfg"
SIGN_UPS_ALLOWED = 10  # per client in any 10 s: haproxy.cfg's `sc_http_req_rate(0) gt 10`
CLIENT, OTHER_CLIENT = "127.0.0.2", "127.0.0.3"
FORGED = "198.51.100.9"


@pytest.fixture
def amqp_uri(private_vhost):
    """Under the deployed name the service consumes `rpc-nameko_registration_service`: on a vhost
    of its own it answers no other run's RPC calls and leaves no queue behind."""
    return private_vhost.amqp_uri


def rendered_config(listen_port: int, service_port: int) -> str:
    """deploy/haproxy/haproxy.cfg on loopback: its own port, one replica at a known address."""
    config = DEPLOYED_CONFIG.read_text()
    for deployed, local in [
        ("    bind :8000\n", f"    bind 127.0.0.1:{listen_port}\n"),
        (
            "    server-template registration 1-8 registration:8000\n",
            f"    server registration1 127.0.0.1:{service_port}\n",
        ),
    ]:
        assert config.count(deployed) == 1, f"haproxy.cfg no longer has {deployed.strip()!r}"
        config = config.replace(deployed, local)
    return config


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class Balancer:
    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, source: str, **headers: str) -> Answer:
        """One request on a connection of its own, from `source` (an address on loopback)."""
        body = json.dumps({"email": f"edge-{uuid.uuid4().hex}@example.com"})
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(source, 0)
        )
        try:
            if method == "POST":
                headers["Content-Type"] = "application/json"
                connection.request(method, path, body, headers)
            else:
                connection.request(method, path, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def sign_up(self, source: str = CLIENT, **headers: str) -> Answer:
        return self.request("POST", "/register", source, **headers)


@pytest.fixture
def service(fresh_postgres_url: str, amqp_uri: str, tmp_path: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess(
        tmp_path / "service.log",
        DATABASE_URL=fresh_postgres_url,
        AMQP_URI=amqp_uri,
        LOG_FORMAT="json",
        SERVICE_NAME="nameko_registration_service",
    )
    try:
        yield process.start()
    finally:
        process.stop()


@pytest.fixture
def balancer(service: ServiceProcess, tmp_path: Path) -> Iterator[Balancer]:
    haproxy = required_tool("haproxy", "make tools")
    port = free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(rendered_config(port, service.port))
    with open(tmp_path / "haproxy.log", "wb") as log:
        process = subprocess.Popen(
            [haproxy, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        balancer = Balancer(port)
        wait_until_it_forwards(balancer, process, tmp_path / "haproxy.log")
        yield balancer
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_it_forwards(balancer: Balancer, process: subprocess.Popen, log: Path) -> None:
    """Until readiness answers through the balancer (the server line starts unchecked). From
    127.0.0.1: the clients' own addresses start with nothing counted."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"haproxy exited:\n{log.read_text()}"
        try:
            if balancer.request("GET", "/health/ready", "127.0.0.1").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"nothing came through haproxy:\n{log.read_text()}")


def logged_lines(service: ServiceProcess) -> list[dict]:
    service.stop()  # SIGTERM: what was logged is all written once it exited
    return [json.loads(line) for line in service.output().splitlines()]


def test_the_rendered_config_is_valid_for_the_installed_haproxy(tmp_path: Path) -> None:
    haproxy = required_tool("haproxy", "make tools")
    config = tmp_path / "haproxy.cfg"
    config.write_text(rendered_config(free_port(), free_port()))

    checked = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_sign_ups_from_one_client_past_the_rate_get_a_429_problem(balancer: Balancer) -> None:
    allowed = [balancer.sign_up() for _ in range(SIGN_UPS_ALLOWED)]

    refused = balancer.sign_up()
    from_another_client = balancer.sign_up(source=OTHER_CLIENT)

    assert [answer.status for answer in allowed] == [202] * SIGN_UPS_ALLOWED
    assert refused.status == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.headers["Retry-After"] == "10"
    assert json.loads(refused.body) == {
        "type": "/problems/too-many-requests",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many sign-ups from this address; retry later.",
    }
    assert "X-Request-ID" not in refused.headers  # the balancer's answer: no replica saw it
    assert from_another_client.status == 202


def test_paths_other_than_sign_up_are_not_limited(balancer: Balancer) -> None:
    for _ in range(SIGN_UPS_ALLOWED + 1):
        balancer.sign_up()

    readiness = [
        balancer.request("GET", "/health/ready", CLIENT).status for _ in range(3 * SIGN_UPS_ALLOWED)
    ]

    assert balancer.sign_up().status == 429
    assert readiness == [200] * (3 * SIGN_UPS_ALLOWED)


def test_the_service_logs_the_forwarded_client_address_and_not_a_forged_one(
    balancer: Balancer, service: ServiceProcess
) -> None:
    answer = balancer.sign_up(**{"X-Forwarded-For": FORGED})

    assert answer.status == 202
    request_id = answer.headers["X-Request-ID"]
    lines = [line for line in logged_lines(service) if line.get("request_id") == request_id]
    assert lines, "the sign-up logged nothing"
    assert {line.get("forwarded_for") for line in lines} == {CLIENT}
    assert FORGED not in service.output()
