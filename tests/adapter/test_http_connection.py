"""`Connection` over real loopback sockets: raw bytes in from a client socket, a tiny WSGI
application behind it, the answers read back as they come.

Every client socket waits at most TIMEOUT_SECONDS, so a server that waits for bytes that never
come, or never hangs up, fails the test instead of hanging it.
"""

import email.utils
import http.client
import json
import socket
import time
from dataclasses import dataclass

import eventlet
import pytest
from eventlet.event import Event

from registration.entrypoints.http.server.connection import MAX_HEAD_BYTES, Connection, Deadlines
from tests.support.raw_http import LAST_CHUNK, chunked

pytestmark = pytest.mark.adapter

BODY_LIMIT = 100
TIMEOUT_SECONDS = 5.0
PROBLEM_JSON = "application/problem+json"
DEFAULTS = Deadlines()


def echo(environ, start_response):
    """Answers with what it was given: the request as the application sees it."""
    try:
        body = environ["wsgi.input"].read()
    except ValueError as error:
        return answer(start_response, "400 Bad Request", {"unreadable": str(error)})
    return answer(
        start_response,
        "200 OK",
        {
            "method": environ["REQUEST_METHOD"],
            "path": environ["PATH_INFO"],
            "query": environ["QUERY_STRING"],
            "protocol": environ["SERVER_PROTOCOL"],
            "content_type": environ.get("CONTENT_TYPE"),
            "token": environ.get("HTTP_X_TOKEN"),
            "body": body.decode("latin-1"),
        },
    )


def answer(start_response, status: str, document: dict) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("X-App", "echo")])
    return [json.dumps(document).encode("utf-8")]


def crashing(environ, start_response):
    raise RuntimeError("the database password is hunter2")


class HeldEcho:
    """`echo`, held inside the application until released."""

    def __init__(self) -> None:
        self.entered = Event()
        self.released = Event()

    def __call__(self, environ, start_response):
        self.entered.send()
        self.released.wait()
        return echo(environ, start_response)


def request(
    method: str, target: str, *headers: str, body: bytes = b"", version: str = "1.1"
) -> bytes:
    head = [f"{method} {target} HTTP/{version}", "Host: test", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class Server:
    """A listening socket whose first accepted connection is served by `Connection`."""

    def __init__(self, app, body_limit: int, deadlines: Deadlines) -> None:
        self._listener = eventlet.listen(("127.0.0.1", 0))
        self.address = self._listener.getsockname()
        self._accepted: Event = Event()
        self._thread = eventlet.spawn(self._serve_one, app, body_limit, deadlines)

    def _serve_one(self, app, body_limit: int, deadlines: Deadlines) -> None:
        sock, address = self._listener.accept()
        connection = Connection(sock, address, app, self.address, body_limit, deadlines)
        self._accepted.send(connection)
        connection.serve()

    def connection(self) -> Connection:
        with eventlet.Timeout(TIMEOUT_SECONDS):
            return self._accepted.wait()

    def has_stopped_serving(self) -> bool:
        with eventlet.Timeout(TIMEOUT_SECONDS, False):
            self._thread.wait()
            return True
        return False

    def close(self) -> None:
        self._thread.kill()
        self._listener.close()


class Client:
    """The client's end of one connection; answers are read in order from one buffer."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._sock = socket.create_connection(server.address, timeout=TIMEOUT_SECONDS)
        self._reader = self._sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self._sock.sendall(data)

    def response(self) -> Response:
        status_line = self._reader.readline()
        assert status_line, "the server hung up without answering"
        headers = http.client.parse_headers(self._reader)
        body = self._reader.read(int(headers.get("Content-Length", 0)))
        return Response(int(status_line.split()[1]), headers, body)

    def trickle(self, data: bytes, interval: float) -> None:
        """Send `data` a byte at a time, until the server hangs up."""
        for byte in data:
            try:
                self._sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                return
            eventlet.sleep(interval)

    def exchange(self, data: bytes) -> Response:
        self.send(data)
        return self.response()

    def hung_up(self) -> bool:
        try:
            return self._reader.read(1) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self._reader.close()
        self._sock.close()
        self.server.close()


@pytest.fixture
def connect():
    clients: list[Client] = []

    def connect(app=echo, body_limit: int = BODY_LIMIT, deadlines=DEFAULTS) -> Client:
        client = Client(Server(app, body_limit, deadlines))
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


def eventually(condition) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        eventlet.sleep(0.001)


def test_a_get_is_answered_with_the_apps_status_headers_and_body_plus_length_and_date(connect):
    client = connect()

    response = client.exchange(request("GET", "/hello", "X-Token: abc"))

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-App"] == "echo"
    assert response.json()["method"] == "GET"
    assert response.json()["path"] == "/hello"
    assert response.json()["token"] == "abc"
    assert int(response.headers["Content-Length"]) == len(response.body)
    sent_at = email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp()
    assert abs(sent_at - time.time()) < 60
    assert response.headers["Connection"] is None


def test_a_keep_alive_connection_answers_a_second_request(connect):
    client = connect()
    client.exchange(request("GET", "/first"))

    response = client.exchange(request("GET", "/second"))

    assert response.json()["path"] == "/second"


def test_pipelined_requests_are_all_answered_in_order(connect):
    client = connect()

    client.send(request("GET", "/first") + request("GET", "/second"))

    assert client.response().json()["path"] == "/first"
    assert client.response().json()["path"] == "/second"


def test_an_http_1_0_request_is_answered_then_the_connection_is_closed(connect):
    client = connect()

    response = client.exchange(request("GET", "/", version="1.0"))

    assert response.status == 200
    assert response.json()["protocol"] == "HTTP/1.0"
    assert response.headers["Connection"] == "close"
    assert client.hung_up()


def test_an_http_1_0_request_asking_for_keep_alive_is_kept_alive(connect):
    client = connect()

    response = client.exchange(request("GET", "/first", "Connection: keep-alive", version="1.0"))

    assert response.headers["Connection"] == "keep-alive"
    second = client.exchange(request("GET", "/second", "Connection: keep-alive", version="1.0"))
    assert second.json()["path"] == "/second"


def test_a_client_asking_to_close_gets_connection_close_and_is_hung_up_on(connect):
    client = connect()

    response = client.exchange(request("GET", "/", "Connection: close"))

    assert response.status == 200
    assert response.headers["Connection"] == "close"
    assert client.hung_up()


def test_a_chunked_body_sent_in_pieces_reaches_the_app_whole(connect):
    client = connect()
    data = b"a chunked body in several pieces"

    client.send(request("POST", "/", "Transfer-Encoding: chunked"))
    for part in [*chunked(data, chunk_size=7), LAST_CHUNK]:
        eventlet.sleep(0.001)
        client.send(part)

    assert client.response().json()["body"] == data.decode("latin-1")


def test_a_body_declared_over_the_limit_is_handed_over_without_waiting_for_it(connect):
    client = connect()

    response = client.exchange(request("POST", "/", f"Content-Length: {BODY_LIMIT * 10}"))

    assert response.status == 200
    assert response.json()["body"] == ""
    assert response.headers["Connection"] == "close"
    assert client.hung_up()


def test_a_chunked_body_growing_over_the_limit_is_handed_over_before_its_end(connect):
    client = connect()
    sent = b"x" * (BODY_LIMIT + 50)

    response = client.exchange(
        request("POST", "/", "Transfer-Encoding: chunked") + chunked(sent, chunk_size=len(sent))[0]
    )

    received = response.json()["body"].encode("latin-1")
    assert len(received) > BODY_LIMIT
    assert sent.startswith(received)
    assert response.headers["Connection"] == "close"
    assert client.hung_up()


def test_a_chunked_body_with_broken_framing_is_unreadable_to_the_app(connect):
    client = connect()

    response = client.exchange(
        request("POST", "/", "Transfer-Encoding: chunked") + b"zz\r\nhello\r\n" + LAST_CHUNK
    )

    assert response.status == 400
    assert response.headers["Content-Type"] == "application/json"
    assert "unreadable" in response.json()
    assert response.headers["Connection"] == "close"
    assert client.hung_up()


def test_bytes_that_are_not_http_get_a_400_problem_and_a_hang_up(connect):
    client = connect()

    response = client.exchange(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 not http\r\n\r\n")

    assert response.status == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.json()["status"] == 400
    assert client.hung_up()


def test_headers_over_the_bound_get_a_431_problem_and_a_hang_up(connect):
    client = connect()
    padding = "x" * 1000
    headers = [f"X-Padding-{n}: {padding}" for n in range(MAX_HEAD_BYTES // 1000 + 1)]

    response = client.exchange(request("GET", "/", *headers))

    assert response.status == 431
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.json()["status"] == 431
    assert client.hung_up()


def test_a_header_line_that_never_ends_gets_a_431_once_over_the_bound(connect):
    client = connect()
    client.send(b"GET / HTTP/1.1\r\nHost: test\r\nX-Endless: ")

    for _ in range(MAX_HEAD_BYTES // 8192 + 2):
        client.send(b"a" * 8192)
    response = client.response()

    assert response.status == 431
    assert client.hung_up()


def test_a_header_name_with_an_underscore_does_not_pass_for_one_with_a_dash(connect):
    client = connect()

    response = client.exchange(request("GET", "/", "X_Token: spoofed"))

    assert response.json()["token"] is None


def test_trailers_after_a_chunked_body_are_not_taken_for_headers(connect):
    client = connect()
    head = request("POST", "/", "Transfer-Encoding: chunked")

    response = client.exchange(head + b"".join(chunked(b"hi")) + b"0\r\nX-Token: late\r\n\r\n")

    assert response.json()["body"] == "hi"
    assert response.json()["token"] is None


def test_a_request_pipelined_before_garbage_is_answered_before_the_400(connect):
    client = connect()

    client.send(request("GET", "/first") + b"\x16\x03\x01 not http\r\n\r\n")
    first = client.response()

    assert first.status == 200
    assert first.json()["path"] == "/first"
    assert client.response().status == 400


def test_expect_100_continue_gets_an_interim_answer_before_the_body_is_sent(connect):
    client = connect()

    interim = client.exchange(request("POST", "/", "Content-Length: 5", "Expect: 100-continue"))
    client.send(b"hello")
    final = client.response()

    assert interim.status == 100
    assert final.status == 200
    assert final.json()["body"] == "hello"


def test_the_interim_answer_follows_the_answers_to_requests_pipelined_before(connect):
    client = connect()
    client.send(
        request("GET", "/first") + request("POST", "/", "Content-Length: 2", "Expect: 100-continue")
    )

    first, interim = client.response(), client.response()
    client.send(b"hi")

    assert (first.status, interim.status) == (200, 100)
    assert client.response().json()["body"] == "hi"


def test_a_percent_encoded_path_arrives_decoded_as_latin_1_and_the_query_raw(connect):
    client = connect()

    response = client.exchange(request("GET", "/caf%C3%A9/a%2Fb%20c?q=a%20b&next=%2Fx"))

    assert response.json()["path"] == "/café/a/b c".encode().decode("latin-1")
    assert response.json()["query"] == "q=a%20b&next=%2Fx"


def test_an_app_that_raises_gets_a_500_problem_without_internals_and_a_hang_up(connect):
    client = connect(app=crashing)

    response = client.exchange(request("GET", "/"))

    assert response.status == 500
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.json()["status"] == 500
    assert b"Traceback" not in response.body
    assert b"hunter2" not in response.body
    assert client.hung_up()


def test_closing_an_idle_keep_alive_connection_ends_serving_it(connect):
    client = connect()
    client.exchange(request("GET", "/"))

    was_idle = client.server.connection().close_when_idle()

    assert was_idle
    assert client.hung_up()
    assert client.server.has_stopped_serving()


def test_closing_while_a_body_arrives_still_answers_it_with_connection_close(connect):
    client = connect()
    client.send(request("POST", "/", "Content-Length: 5") + b"he")
    connection = client.server.connection()
    eventually(lambda: connection.busy)

    was_idle = connection.close_when_idle()
    response = client.exchange(b"llo")

    assert not was_idle
    assert response.json()["body"] == "hello"
    assert response.headers["Connection"] == "close"
    assert client.hung_up()
    assert client.server.has_stopped_serving()


def test_closing_while_the_app_runs_still_answers_with_connection_close(connect):
    app = HeldEcho()
    client = connect(app=app)
    client.send(request("GET", "/slow"))
    with eventlet.Timeout(TIMEOUT_SECONDS):
        app.entered.wait()

    was_idle = client.server.connection().close_when_idle()
    app.released.send()
    response = client.response()

    assert not was_idle
    assert response.json()["path"] == "/slow"
    assert response.headers["Connection"] == "close"
    assert client.hung_up()


def test_a_transfer_encoding_not_ending_in_chunked_gets_a_400_and_a_hang_up(connect):
    client = connect()

    response = client.exchange(request("POST", "/", "Transfer-Encoding: gzip") + b"hello")

    assert response.status == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "X-App" not in response.headers  # never reached the application
    assert client.hung_up()


def test_an_empty_transfer_encoding_beside_a_content_length_gets_a_400_and_a_hang_up(connect):
    client = connect()

    response = client.exchange(
        request("POST", "/", "Transfer-Encoding: ", "Content-Length: 5") + b"hello"
    )

    assert response.status == 400
    assert "X-App" not in response.headers
    assert client.hung_up()


def test_a_coding_before_chunked_gets_a_501_and_a_hang_up(connect):
    client = connect()

    response = client.exchange(
        request("POST", "/", "Transfer-Encoding: gzip, chunked") + b"".join(chunked(b"hi"))
    )

    assert response.status == 501
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "X-App" not in response.headers
    assert client.hung_up()


def test_chunked_applied_twice_gets_a_400(connect):
    client = connect()

    response = client.exchange(request("POST", "/", "Transfer-Encoding: chunked, chunked"))

    assert response.status == 400
    assert client.hung_up()


def test_a_transfer_encoding_in_an_http_1_0_request_gets_a_400(connect):
    client = connect()

    response = client.exchange(
        request("POST", "/", "Transfer-Encoding: chunked", version="1.0") + LAST_CHUNK
    )

    assert response.status == 400
    assert client.hung_up()


def test_an_http_1_1_request_without_host_gets_a_400_and_a_hang_up(connect):
    client = connect()

    response = client.exchange(b"GET / HTTP/1.1\r\nX-Token: abc\r\n\r\n")

    assert response.status == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "Host" in response.json()["detail"]
    assert client.hung_up()


def test_a_request_with_two_hosts_gets_a_400_and_a_hang_up(connect):
    client = connect()

    response = client.exchange(request("GET", "/", "Host: other"))

    assert response.status == 400
    assert "X-App" not in response.headers
    assert client.hung_up()


def test_an_http_1_0_request_without_host_is_served(connect):
    client = connect()

    response = client.exchange(b"GET /old HTTP/1.0\r\n\r\n")

    assert response.json()["path"] == "/old"


def test_a_refused_head_still_lets_the_requests_pipelined_before_it_be_answered(connect):
    client = connect()

    client.send(request("GET", "/first") + request("POST", "/", "Transfer-Encoding: gzip"))

    assert client.response().json()["path"] == "/first"
    assert client.response().status == 400
    assert client.hung_up()


SHORT = Deadlines(idle=5.0, head=0.3, body=0.3)


def test_a_head_sent_a_byte_at_a_time_is_cut_at_its_deadline_with_a_408(connect):
    client = connect(deadlines=SHORT)
    head = request("GET", "/")

    # A byte every 0.1 s would take seconds for the head: well past its deadline.
    client.trickle(head, interval=0.1)
    response = client.response()

    assert response.status == 408
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "X-App" not in response.headers
    assert client.hung_up()


def test_a_body_sent_a_byte_at_a_time_is_cut_at_its_deadline_with_a_408(connect):
    client = connect(deadlines=SHORT)
    client.send(request("POST", "/", f"Content-Length: {BODY_LIMIT}"))

    client.trickle(b"x" * BODY_LIMIT, interval=0.1)
    response = client.response()

    assert response.status == 408
    assert client.hung_up()


def test_a_connection_idle_past_its_deadline_is_closed_without_an_answer(connect):
    client = connect(deadlines=Deadlines(idle=0.3, head=5.0, body=5.0))
    client.exchange(request("GET", "/"))

    assert client.hung_up()
    assert client.server.has_stopped_serving()


def test_requests_within_their_deadlines_are_served_on_one_connection(connect):
    client = connect(deadlines=Deadlines(idle=5.0, head=2.0, body=2.0))
    head = request("POST", "/", "Content-Length: 5")

    client.send(head[:8])
    eventlet.sleep(0.05)
    client.send(head[8:] + b"he")
    eventlet.sleep(0.05)
    first = client.exchange(b"llo")
    second = client.exchange(request("GET", "/second"))

    assert first.json()["body"] == "hello"
    assert second.json()["path"] == "/second"
