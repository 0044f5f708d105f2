"""The web server's own limits, set through its settings as config.yml gives them: how long an
idle keep-alive connection is kept, and how many connections a listener holds open.

A nameko container serves one route with the service's web server; clients are raw loopback
sockets, each waiting at most TIMEOUT_SECONDS, so a server that never hangs up fails the test.
"""

import contextlib
import http.client
import json
import socket
import time

import pytest
from nameko.containers import ServiceContainer
from werkzeug.wrappers import Response

from registration.entrypoints.http.route import api
from tests.support.ports import free_port

pytestmark = pytest.mark.adapter

TIMEOUT_SECONDS = 5.0
REQUEST = b"GET /hello HTTP/1.1\r\nHost: test\r\n\r\n"


class HelloService:
    name = "http_server_limits"

    @api("GET", "/hello")
    def hello(self, request) -> Response:
        return Response("hello")


@pytest.fixture
def serve():
    containers: list[ServiceContainer] = []

    def serve(**settings) -> tuple[str, int]:
        address = ("127.0.0.1", free_port())
        config = {"WEB_SERVER_ADDRESS": f"{address[0]}:{address[1]}", **settings}
        container = ServiceContainer(HelloService, config)
        containers.append(container)
        container.start()
        return address

    yield serve
    for container in containers:
        container.kill()


class Client:
    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address, timeout=TIMEOUT_SECONDS)

    def get(self) -> http.client.HTTPResponse:
        self.sock.sendall(REQUEST)
        response = http.client.HTTPResponse(self.sock)
        response.begin()
        response.read()
        return response

    def seconds_until_hung_up(self) -> float:
        started = time.monotonic()
        with contextlib.suppress(ConnectionResetError):
            assert self.sock.recv(1) == b"", "the server sent more than its answer"
        return time.monotonic() - started

    def close(self) -> None:
        self.sock.close()


def test_an_idle_keep_alive_connection_is_closed_after_the_configured_idle_timeout(serve):
    client = Client(serve(HTTP_IDLE_TIMEOUT_SECONDS=0.5))

    assert client.get().status == 200
    waited = client.seconds_until_hung_up()

    assert 0.4 <= waited < 2.0
    client.close()


def test_a_connection_past_the_cap_is_answered_503_with_retry_after_and_closed(serve):
    address = serve(HTTP_MAX_CONNECTIONS=2)
    held = [Client(address), Client(address)]
    assert [client.get().status for client in held] == [200, 200]  # both open and kept alive

    extra = Client(address)
    refused = extra.get()

    assert refused.status == 503
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["Connection"] == "close"
    assert extra.seconds_until_hung_up() < TIMEOUT_SECONDS
    assert [client.get().status for client in held] == [200, 200]  # the held ones still serve
    for client in (extra, *held):
        client.close()


def test_a_new_connection_is_served_again_once_a_held_one_has_closed(serve):
    address = serve(HTTP_MAX_CONNECTIONS=1)
    first = Client(address)
    assert first.get().status == 200

    first.close()
    statuses = []
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while statuses[-1:] != [200] and time.monotonic() < deadline:
        client = Client(address)
        statuses.append(client.get().status)
        client.close()
        time.sleep(0.05)

    assert statuses[-1] == 200


def test_the_refusal_is_a_problem_document(serve):
    address = serve(HTTP_MAX_CONNECTIONS=1)
    held = Client(address)
    held.get()

    with socket.create_connection(address, timeout=TIMEOUT_SECONDS) as sock:
        sock.sendall(REQUEST)
        response = http.client.HTTPResponse(sock)
        response.begin()
        document = json.loads(response.read())

    assert document["status"] == 503
    assert document["title"] == "Service Unavailable"
    held.close()
