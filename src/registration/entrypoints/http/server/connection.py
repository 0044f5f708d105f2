"""One client connection: HTTP/1.1 requests in, a WSGI application's answers out.

nameko's @http sits on eventlet.wsgi, which parses every request in Python (http.server and
email.parser), hands the body over as a stream that reads the socket, and writes the status line
and headers apart from the body: a large share of the service's CPU per registration. Here
llhttp (the C parser of Node.js, through httptools) parses, the body is in memory before the
application runs, and each answer goes out in one write.

Bodies are buffered only up to `body_limit` bytes. A request whose body is longer, or declared
longer, is handed to the application at once with what has arrived (the application refuses it
without reading the rest), and the connection is closed after the answer instead of reading on.
A chunked body whose framing breaks is handed over with a stream that raises ValueError when read.

RFC 9112's musts that llhttp leaves to its user are kept here: exactly one Host, a
Transfer-Encoding that ends in chunked and has no other coding, and a deadline for a whole head
and a whole body, so that a client sending a byte now and then cannot hold a connection forever.
A keep-alive connection that sends nothing between requests is closed after `Deadlines.idle`.
"""

import contextlib
import io
import logging
import socket
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

import httptools

from service_kit.problem_document import PROBLEM_JSON, problem_json

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

IDLE_TIMEOUT_SECONDS = 15.0  # a keep-alive connection that sends nothing for this long is closed
HEAD_TIMEOUT_SECONDS = 10.0  # from a request's first byte to the end of its headers
BODY_TIMEOUT_SECONDS = 30.0  # from the end of the headers to the end of the body
MAX_HEAD_BYTES = 65536  # request line and headers (and trailers): llhttp sets no bound of its own
READ_SIZE = 65536
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def _last_answer(status: int, reason: str, detail: str, extra_head: str = "") -> bytes:
    """A problem document the server sends itself, when no application can answer."""
    body = problem_json(status, reason, detail).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {PROBLEM_JSON}\r\n"
        f"X-Content-Type-Options: nosniff\r\n{extra_head}"
        f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


BAD_REQUEST = _last_answer(400, "Bad Request", "The request is not valid HTTP/1.1.")
HEAD_TOO_LARGE = _last_answer(
    431,
    "Request Header Fields Too Large",
    f"The request line and headers may be at most {MAX_HEAD_BYTES} bytes.",
)


SERVER_ERROR = _last_answer(500, "Internal Server Error", "Unexpected error.")
REQUEST_TIMEOUT = _last_answer(
    408, "Request Timeout", "The request did not arrive whole within the server's deadline."
)
HOST_REQUIRED = _last_answer(
    400, "Bad Request", "An HTTP/1.1 request carries exactly one Host header."
)
FRAMING_UNKNOWN = _last_answer(
    400, "Bad Request", "The last transfer coding of a request must be chunked, applied once."
)
CODING_NOT_IMPLEMENTED = _last_answer(
    501, "Not Implemented", "Only the chunked transfer coding is supported."
)
OVER_CAPACITY = _last_answer(
    503,
    "Service Unavailable",
    "The server has as many connections open as it takes; retry in a moment.",
    "Retry-After: 1\r\n",
)
# How long a refused connection is read (and discarded) after its answer, before it is closed.
REFUSAL_LINGER_SECONDS = 1.0


@dataclass(frozen=True)
class Deadlines:
    """How long a connection waits, in seconds."""

    idle: float = IDLE_TIMEOUT_SECONDS
    head: float = HEAD_TIMEOUT_SECONDS
    body: float = BODY_TIMEOUT_SECONDS


class _Refused(Exception):
    """Raised from a parser callback: stops the parser; `answer` is sent, then the connection
    closes."""

    def __init__(self, answer: bytes) -> None:
        super().__init__()
        self.answer = answer


class BrokenBody(io.BytesIO):
    """The body of a request whose chunked framing broke: unreadable."""

    def read(self, size: int | None = -1) -> bytes:
        raise ValueError("The chunked transfer coding of the body is broken.")

    readline = read  # type: ignore[assignment]


class _Request:
    __slots__ = (
        "body",
        "broken",
        "complete",
        "continue_due",
        "deadline",
        "head_size",
        "headers",
        "headers_done",
        "keep_alive",
        "method",
        "queued",
        "size",
        "url",
        "version",
    )

    def __init__(self) -> None:
        self.url = b""
        self.deadline = 0.0  # of the head until its end, then of the body
        self.headers: list[tuple[bytes, bytes]] = []
        self.continue_due = False  # the client waits for "100 Continue" before the body
        self.head_size = 0
        self.method = "GET"
        self.version = "1.1"
        self.keep_alive = True
        self.body: list[bytes] = []
        self.size = 0
        self.headers_done = False
        self.complete = False  # the whole body arrived
        self.broken = False  # the body's framing broke
        self.queued = False


class Connection:
    """Serves one accepted socket until the client leaves, it idles out, or `close_when_idle`."""

    def __init__(
        self,
        sock: socket.socket,
        address: tuple[str, int],
        app: WsgiApp,
        server_address: tuple[str, int],
        body_limit: int,
        deadlines: Deadlines = Deadlines(),
    ) -> None:
        self._sock = sock
        self._deadlines = deadlines
        self._idle_until = time.monotonic() + deadlines.idle
        self._app = app
        self._body_limit = body_limit
        self._parser = httptools.HttpRequestParser(self)
        self._current: _Request | None = None
        self._ready: deque[_Request] = deque()
        self._base_environ = {
            "SCRIPT_NAME": "",
            "SERVER_NAME": server_address[0],
            "SERVER_PORT": str(server_address[1]),
            "REMOTE_ADDR": address[0] if address else "",
            "REMOTE_PORT": str(address[1]) if address else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
        }
        self.busy = False  # between a request's arrival and the end of its answer
        self._closing = False
        # Bytes read since the last request was queued: bounds a head, or trailers, that never end.
        self._unqueued_bytes = 0

    # -- the parser's callbacks --------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._current = request = _Request()
        request.deadline = time.monotonic() + self._deadlines.head
        self.busy = True  # a request has begun: draining waits for its answer

    def on_url(self, url: bytes) -> None:
        assert self._current is not None
        self._current.url += url
        self._current.head_size += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        request = self._current
        assert request is not None
        # Trailers are not headers; a name with "_" would pass for one with "-" in the environ
        # (X_Request_ID as X-Request-ID, behind a proxy that only filters the latter).
        if request.headers_done or b"_" in name:
            return
        request.headers.append((name, value))
        request.head_size += len(name) + len(value) + 4

    def on_headers_complete(self) -> None:
        request = self._current
        assert request is not None
        parser = self._parser
        request.headers_done = True
        request.deadline = time.monotonic() + self._deadlines.body
        if request.head_size > MAX_HEAD_BYTES:
            raise _Refused(HEAD_TOO_LARGE)  # nothing of it reaches the application
        request.method = parser.get_method().decode("ascii")
        request.version = parser.get_http_version()
        head = _Head(request.headers)
        refusal = head.refusal(request.version)
        if refusal:
            raise _Refused(refusal)
        request.keep_alive = parser.should_keep_alive()
        if head.declared_length is not None and head.declared_length > self._body_limit:
            self._queue(request)  # refused on its headers alone, the body is never read
        elif request.version == "1.1" and head.expects_continue:
            request.continue_due = True  # sent by _serve, after the answers queued before it

    def on_body(self, body: bytes) -> None:
        request = self._current
        assert request is not None
        if request.queued:
            return
        request.body.append(body)
        request.size += len(body)
        if request.size > self._body_limit:
            self._queue(request)

    def on_message_complete(self) -> None:
        request = self._current
        assert request is not None
        request.complete = True
        if not request.queued:
            self._queue(request)
        self._current = None

    def _queue(self, request: _Request) -> None:
        request.queued = True
        self.busy = True
        self._ready.append(request)
        self._unqueued_bytes = 0

    # -- serving -------------------------------------------------------------------------------

    def serve(self) -> None:
        try:
            self._serve()
        except OSError:
            pass  # the client went away or idled out: nobody to answer
        except Exception:
            # Never out of this greenthread: nameko would take the whole container down.
            log.exception("An HTTP connection failed")
        finally:
            self._sock.close()

    def close_when_idle(self) -> bool:
        """Ask the connection to close after the answer in progress, or now when there is none
        and no request waits unread. Returns whether it was idle."""
        self._closing = True
        if self.busy or _has_unread_bytes(self._sock):
            return False
        with contextlib.suppress(OSError):  # already closed
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the read waiting for a next request
        return True

    def _serve(self) -> None:
        while True:
            data = self._receive()
            if not data:
                if data is None and self._current is not None and not self._current.queued:
                    self._sock.sendall(REQUEST_TIMEOUT)
                return
            self._unqueued_bytes += len(data)
            stop_after, last_answer = False, b""
            try:
                self._parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                stop_after = True  # no protocol switch here: answer what arrived, then close
            except httptools.HttpParserError as error:
                # A body whose framing broke goes to the application all the same; anything else
                # gets the server's 4xx, after the answers to what was parsed before it.
                stop_after = True
                if isinstance(error.__context__, _Refused):
                    last_answer = error.__context__.answer
                elif not self._queue_broken_body():
                    last_answer = BAD_REQUEST
            if not stop_after:
                stop_after, last_answer = self._check_unbounded()
            while self._ready:
                if not self._answer(self._ready.popleft()):
                    return
            if last_answer:
                self._sock.sendall(last_answer)
            if stop_after:
                return
            request = self._current
            if request is not None and request.continue_due:
                request.continue_due = False
                self._sock.sendall(CONTINUE)
            self.busy = request is not None
            if request is None:
                self._idle_until = time.monotonic() + self._deadlines.idle

    def _receive(self) -> bytes | None:
        """The next bytes, b"" when the client left, None when the deadline of what is awaited
        (a next request, the rest of a head, the rest of a body) passed first."""
        request = self._current
        deadline = self._idle_until if request is None else request.deadline
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        self._sock.settimeout(left)
        try:
            data: bytes = self._sock.recv(READ_SIZE)
        except TimeoutError:
            return None
        self._sock.settimeout(self._deadlines.idle)  # what an answer's write may wait
        return data

    def _check_unbounded(self) -> tuple[bool, bytes]:
        """Whether to stop, and the server's own last answer, for a head or trailers too long."""
        request = self._current
        if request is None or not request.headers_done:
            if self._unqueued_bytes > MAX_HEAD_BYTES:
                return True, HEAD_TOO_LARGE
        elif not request.queued and self._unqueued_bytes > MAX_HEAD_BYTES + self._body_limit:
            request.broken = True  # trailers that never end: the body is refused as broken
            self._queue(request)
            return True, b""
        return False, b""

    def _queue_broken_body(self) -> bool:
        """A request whose headers were fine but whose body framing broke is still answered
        (by the application, which sees an unreadable body)."""
        request = self._current
        if request is None or request.queued or not request.headers_done:
            return False
        request.broken = True
        self._queue(request)
        return True

    def _answer(self, request: _Request) -> bool:
        """Run the application for one request and send its answer; whether to keep going."""
        keep_alive = (
            request.keep_alive and request.complete and not request.broken and not self._closing
        )
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):  # type: ignore[no-untyped-def]
            started[:] = [status, headers]
            return _no_write

        try:
            environ = self._environ(request)
        except httptools.HttpParserInvalidURLError:
            self._sock.sendall(BAD_REQUEST)
            return False
        try:
            result = self._app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            status, headers = started
            # Asked to close while the application ran (draining): this answer says so.
            keep_alive = keep_alive and not self._closing
            if any(n.lower() == "connection" and v.lower() == "close" for n, v in headers):
                keep_alive = False
            head = _head(status, headers, len(body), keep_alive, request)
        except Exception:
            log.exception("The WSGI application failed")
            self._sock.sendall(SERVER_ERROR)
            return False
        self._sock.sendall(head + body)
        return keep_alive

    def _environ(self, request: _Request) -> dict[str, Any]:
        url = httptools.parse_url(request.url)
        environ = dict(self._base_environ)
        environ["REQUEST_METHOD"] = request.method
        environ["PATH_INFO"] = _unquote(url.path or b"/")
        environ["QUERY_STRING"] = (url.query or b"").decode("latin-1")
        environ["SERVER_PROTOCOL"] = f"HTTP/{request.version}"
        body = b"".join(request.body)
        environ["wsgi.input"] = BrokenBody() if request.broken else io.BytesIO(body)
        for raw_name, raw_value in request.headers:
            name = raw_name.decode("latin-1").upper().replace("-", "_")
            value = raw_value.decode("latin-1")
            key = name if name in _UNPREFIXED else "HTTP_" + name
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ


_UNPREFIXED = frozenset(("CONTENT_TYPE", "CONTENT_LENGTH"))  # PEP 3333


def _head(
    status: str, headers: list[tuple[str, str]], length: int, keep_alive: bool, request: _Request
) -> bytes:
    lines = [f"HTTP/1.1 {status}\r\n"]
    has_length = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == "content-length":
            has_length = True
        elif lowered == "connection":
            continue  # the server decides, below
        lines.append(f"{name}: {value}\r\n")
    if not has_length and not status.startswith(_BODILESS_STATUSES):
        lines.append(f"Content-Length: {length}\r\n")
    lines.append(f"Date: {_http_date()}\r\n")
    if not keep_alive:
        lines.append("Connection: close\r\n")
    elif request.version == "1.0":
        lines.append("Connection: keep-alive\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("latin-1")


# RFC 9110 8.6: no Content-Length on these, they never have a body.
_BODILESS_STATUSES = ("1", "204 ")

_date_cache: list[Any] = [0, ""]


def _http_date() -> str:
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, formatdate(now, usegmt=True)]
    return _date_cache[1]  # type: ignore[no-any-return]


def _unquote(path: bytes) -> str:
    """PEP 3333: PATH_INFO is the percent-decoded path, its bytes as latin-1."""
    if b"%" not in path:
        return path.decode("latin-1")
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(path).decode("latin-1")


class _Head:
    """What the server itself needs from a request's headers, read in one pass."""

    __slots__ = ("codings", "declared_length", "expects_continue", "hosts")

    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        self.hosts = 0
        self.codings: list[bytes] | None = None  # of Transfer-Encoding, when there is one
        self.declared_length: int | None = None
        self.expects_continue = False
        for name, value in headers:
            lowered = name.lower()
            if lowered == b"host":
                self.hosts += 1
            elif lowered == b"content-length":
                if self.declared_length is None:
                    with contextlib.suppress(ValueError):  # llhttp refuses it anyway
                        self.declared_length = int(value)
            elif lowered == b"transfer-encoding":
                found = [c.strip().lower() for c in value.split(b",") if c.strip()]
                self.codings = (self.codings or []) + found
            elif lowered == b"expect":
                self.expects_continue = value.lower() == b"100-continue"

    def refusal(self, version: str) -> bytes:
        """The server's own answer to a head that breaks RFC 9112's musts, or b"" if fine."""
        if self.hosts > 1 or (self.hosts == 0 and version == "1.1"):
            return HOST_REQUIRED
        codings = self.codings
        if codings is None:
            return b""
        # An HTTP/1.0 message cannot be chunked: a Transfer-Encoding there is faulty framing.
        if (
            version != "1.1"
            or not codings
            or codings[-1] != b"chunked"
            or codings.count(b"chunked") > 1
        ):
            return FRAMING_UNKNOWN
        if len(codings) > 1:
            return CODING_NOT_IMPLEMENTED
        return b""


def refuse(sock: socket.socket, answer: bytes = OVER_CAPACITY) -> None:
    """Send `answer` on a connection that is not served, then close it. What the client sent is
    read and dropped for a moment first: closing with unread bytes would reset the connection,
    and a reset can destroy the answer before the client reads it."""
    try:
        sock.settimeout(REFUSAL_LINGER_SECONDS)
        sock.sendall(answer)
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + REFUSAL_LINGER_SECONDS
        while time.monotonic() < deadline and sock.recv(READ_SIZE):
            pass
    except OSError:
        pass  # gone already, or it kept sending: closed all the same
    finally:
        sock.close()


def _no_write(data: bytes) -> None:
    raise NotImplementedError("this server does not support the WSGI write() callable")


def _has_unread_bytes(sock: socket.socket) -> bool:
    """A request sent on a keep-alive connection but not read yet: it gets served, not dropped."""
    try:
        fd = getattr(sock, "fd", sock)
        return bool(fd.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except OSError:  # nothing to read (BlockingIOError) or already closed
        return False
