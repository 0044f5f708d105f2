"""What the load generators send: a new JSON registration per request, over kept-alive connections.

They run against a small in-process HTTP server that records every request.
"""

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bench.load import new_run_token, run_token_of
from bench.python_load import run_python_load
from bench.wrk import run_wrk

pytestmark = pytest.mark.unit

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, reject_every: int = 0, wait_for_connections: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.reject_every = reject_every
        # Holds each connection's first answer until that many connections sent a request:
        # a generator with fewer open at once never gets an answer.
        self.all_connected = (
            threading.Barrier(wait_for_connections) if wait_for_connections else None
        )
        self.requests: list[tuple[str, str, dict]] = []
        self.clients: set[tuple[str, int]] = set()  # connections that carried a request
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a load generator may drop its connections mid-request when it stops

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class RecordingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True
    server: RecordingServer
    answered_before = False

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.all_connected is not None and not self.answered_before:
            self.server.all_connected.wait(timeout=10)
        self.answered_before = True
        with self.server.lock:
            self.server.requests.append((self.path, self.headers["Content-Type"], body))
            self.server.clients.add(self.client_address)
            count = len(self.server.requests)
        status = 400 if self.server.reject_every and count % self.server.reject_every == 0 else 201
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    yield from _serving(RecordingServer())


@pytest.fixture
def server_of_three():
    yield from _serving(RecordingServer(wait_for_connections=3))


@pytest.fixture
def rejecting_server():
    yield from _serving(RecordingServer(reject_every=4))


def _serving(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def python_load(server, token, total=40, connections=4):
    return run_python_load(
        server.base_url, token=token, connections=connections, duration_s=60, total_requests=total
    )


def wrk_load(server, token, total=40, connections=4, threads=2):
    return run_wrk(
        server.base_url,
        token=token,
        connections=connections,
        threads=threads,
        duration_s=60,
        total_requests=total,
    )


@pytest.mark.parametrize("generate", [python_load, pytest.param(wrk_load, marks=needs_wrk)])
def test_every_request_registers_a_new_address_of_the_run(server, generate):
    token = new_run_token()

    generate(server, token)

    emails = [body["email"] for _, _, body in server.requests]
    assert len(emails) >= 40
    assert len(set(emails)) == len(emails)
    assert {run_token_of(email) for email in emails} == {token}


@pytest.mark.parametrize("generate", [python_load, pytest.param(wrk_load, marks=needs_wrk)])
def test_requests_are_json_posts_to_register(server, generate):
    generate(server, new_run_token())

    assert {(path, content_type) for path, content_type, _ in server.requests} == {
        ("/register", "application/json")
    }


@pytest.mark.parametrize("generate", [python_load, pytest.param(wrk_load, marks=needs_wrk)])
def test_connections_are_kept_alive_at_the_chosen_concurrency(server_of_three, generate):
    generate(server_of_three, new_run_token(), total=60, connections=3)

    assert len(server_of_three.clients) == 3
    assert not server_of_three.all_connected.broken  # all three were open at once


@pytest.mark.parametrize("generate", [python_load, pytest.param(wrk_load, marks=needs_wrk)])
def test_a_run_bounded_by_count_answers_that_many(server, generate):
    result = generate(server, new_run_token(), total=40, connections=4)

    # wrk stops a thread at the end of an event-loop turn: answers read in that same turn, at
    # most one per connection, are counted too.
    assert 40 <= result.requests <= 40 + 4
    assert result.non_2xx == 0
    assert result.p50_ms is not None


@pytest.mark.parametrize("generate", [python_load, pytest.param(wrk_load, marks=needs_wrk)])
def test_error_responses_are_counted_as_non_2xx(rejecting_server, generate):
    result = generate(rejecting_server, new_run_token(), total=40, connections=1)

    assert result.non_2xx == 10
    assert result.answered_2xx == 30


@pytest.mark.parametrize("generate", [python_load, pytest.param(wrk_load, marks=needs_wrk)])
def test_a_timed_run_reports_throughput(server, generate):
    token = new_run_token()
    if generate is python_load:
        result = run_python_load(server.base_url, token=token, connections=2, duration_s=0.5)
    else:
        result = run_wrk(server.base_url, token=token, connections=2, threads=1, duration_s=1)

    assert result.requests > 0
    assert result.requests_per_s == pytest.approx(result.requests / result.duration_s)
